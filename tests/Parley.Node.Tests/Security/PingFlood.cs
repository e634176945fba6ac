using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Testing;

namespace Parley.Node.Tests.Security;

/// <summary>An attacker pinging as fast as it can without reading a pong, and the most its victim's link held queued meanwhile.</summary>
internal sealed class PingFlood
{
    private int _peakFrames;
    private long _peakBytes;

    private PingFlood(AttackerLink attacker, PeerLink victim, TimeSpan duration)
    {
        var ping = FrameWriter.ToArray(FrameType.Ping, 0, new PingNonce(1).ToArray());
        var flood = attacker.FloodAsync(ping, 100_000_000, duration);
        Done = Task.WhenAll(flood, Task.Run(async () =>
        {
            while (!flood.IsCompleted)
            {
                _peakFrames = Math.Max(_peakFrames, victim.QueuedFrames);
                _peakBytes = Math.Max(_peakBytes, victim.QueuedBytes);
                await Task.Delay(1);
            }
        }));
    }

    /// <summary>Completes when the flood is over: the victim closed the link, or stopped reading, or the time ran out.</summary>
    public Task Done { get; }

    public int PeakFrames => _peakFrames;

    public long PeakBytes => _peakBytes;

    public static PingFlood Start(AttackerLink attacker, PeerLink victim, TimeSpan duration) => new(attacker, victim, duration);
}
