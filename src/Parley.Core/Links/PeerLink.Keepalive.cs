using Parley.Core.Protocol;

namespace Parley.Core.Links;

public sealed partial class PeerLink
{
    private async Task KeepaliveLoopAsync()
    {
        var time = _options.TimeProvider;
        // At most 1 s, so a dead link is closed within a second of its idle timeout.
        var tick = TimeSpan.FromTicks(Math.Min(Math.Min(_options.KeepaliveInterval.Ticks, _options.IdleTimeout.Ticks) / 3, TimeSpan.TicksPerSecond));
        using var timer = new PeriodicTimer(tick, time);
        try
        {
            while (await timer.WaitForNextTickAsync(_abort.Token).ConfigureAwait(false))
            {
                if (time.GetElapsedTime(Volatile.Read(ref _lastReceived)) >= _options.IdleTimeout)
                {
                    var reason = $"nothing heard for {_options.IdleTimeout.TotalSeconds:0} s";
                    await CloseCoreAsync(new LinkClosed(CloseCode.TimedOut, reason, ByRemote: false), notifyPeer: true).ConfigureAwait(false);
                    return;
                }
                if (time.GetElapsedTime(Volatile.Read(ref _lastSent)) >= _options.KeepaliveInterval
                    && QueueControl(FrameType.Ping, new PingNonce((ulong)time.GetTimestamp()).ToArray()) is { } overflow)
                {
                    await CloseCoreAsync(new LinkClosed(CloseCode.ProtocolError, overflow, ByRemote: false), notifyPeer: true).ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
