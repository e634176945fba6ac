namespace Parley.Hub;

/// <summary>What every relay session shares: the hub-wide byte rate, the count of bytes moved, and the test tap.</summary>
internal sealed class RelayTraffic(HubOptions options)
{
    private readonly ByteRateLimiter _limit = new(options.RelayBytesPerSecond, options.TimeProvider);
    private long _bytes;

    /// <summary>Bytes moved through the relay since start, both directions.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Waits until the hub-wide rate lets <paramref name="chunk"/> through.</summary>
    public async ValueTask AdmitAsync(ReadOnlyMemory<byte> chunk)
    {
        await _limit.TakeAsync(chunk.Length).ConfigureAwait(false);
        options.RelayTap?.Invoke(chunk);
    }

    public void Moved(int bytes) => Interlocked.Add(ref _bytes, bytes);
}
