namespace Parley.Hub;

/// <summary>Lets bytes through at a set rate (with a one-second burst), delaying the caller when over.</summary>
internal sealed class ByteRateLimiter(long bytesPerSecond, TimeProvider time)
{
    private readonly Lock _lock = new();
    private double _available = bytesPerSecond;
    private long _last = time.GetTimestamp();

    public async ValueTask TakeAsync(int bytes)
    {
        TimeSpan wait;
        lock (_lock)
        {
            var now = time.GetTimestamp();
            _available = Math.Min(bytesPerSecond, _available + time.GetElapsedTime(_last, now).TotalSeconds * bytesPerSecond);
            _last = now;
            _available -= bytes;
            wait = _available >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_available / bytesPerSecond);
        }
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, time).ConfigureAwait(false);
        }
    }
}
