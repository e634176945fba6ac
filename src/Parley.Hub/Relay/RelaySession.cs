using System.Net.Sockets;
using Parley.Core.Identity;

namespace Parley.Hub;

/// <summary>
/// One relay: the connections its two one-time tokens brought (side 0 asked, side 1 was invited),
/// and the copying between them once both are here, within the session's byte rate.
/// </summary>
internal sealed class RelaySession(DeviceId asker, HubOptions options, RelayTraffic traffic)
{
    private readonly Socket?[] _sides = new Socket?[2];
    private readonly ByteRateLimiter _limit = new(options.RelayBytesPerSecondPerSession, options.TimeProvider);
    private int _attached;

    /// <summary>The member who asked for it: its slot is charged to them.</summary>
    public DeviceId Asker { get; } = asker;

    /// <summary>True once both sides have come.</summary>
    public bool Complete => Volatile.Read(ref _attached) >= 2;

    /// <summary>Takes one side's connection; true when it was the second (the caller then splices).</summary>
    public bool Attach(int side, Socket socket)
    {
        _sides[side] = socket;
        return Interlocked.Increment(ref _attached) == 2;
    }

    /// <summary>Closes whatever side came (the other never did, or the hub is stopping).</summary>
    public void Abandon()
    {
        foreach (var side in _sides)
        {
            side?.Dispose();
        }
    }

    /// <summary>Copies both ways until either side ends, then closes both.</summary>
    public async Task SpliceAsync()
    {
        var (a, b) = (_sides[0]!, _sides[1]!);
        a.NoDelay = b.NoDelay = true;
        try
        {
            await Task.WhenAll(PumpAsync(a, b), PumpAsync(b, a)).ConfigureAwait(false);
        }
        finally
        {
            a.Dispose();
            b.Dispose();
        }
    }

    private async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }
                await _limit.TakeAsync(read).ConfigureAwait(false);
                await traffic.AdmitAsync(buffer.AsMemory(0, read)).ConfigureAwait(false);
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None).ConfigureAwait(false);
                traffic.Moved(read);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            from.Dispose();
            to.Dispose();
        }
    }
}
