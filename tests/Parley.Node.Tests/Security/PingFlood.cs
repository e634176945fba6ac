using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Testing;

namespace Parley.Node.Tests.Security;

/// <summary>An attacker pinging as fast as it can without reading a pong, and the most its victim's link held queued meanwhile.</summary>
internal sealed class PingFlood
{
    /// <summary>Past this the process's managed memory may not grow (the old code grew by hundreds of MiB).</summary>
    private const long MemoryBound = 64L << 20;
    private readonly PeerLink _victim;
    private readonly long _memoryBefore = GC.GetTotalMemory(forceFullCollection: true);
    private int _peakFrames;
    private long _peakBytes;

    private PingFlood(AttackerLink attacker, PeerLink victim, TimeSpan duration)
    {
        _victim = victim;
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

    /// <summary>
    /// Waits for the flood to end and checks what every one must end with: the victim's link closed
    /// as a peer that stopped reading, its queue freed, and the process's memory not grown past a generous bound.
    /// </summary>
    public async Task EndAsync()
    {
        await Done;
        var closed = await _victim.Closed.WaitAsync(Wait.Patience);
        Assert.Equal(CloseCode.ProtocolError, closed.Code);
        Assert.Contains("peer stopped reading", closed.Reason, StringComparison.Ordinal);
        Assert.Equal(0, _victim.QueuedBytes);
        Assert.InRange(GC.GetTotalMemory(forceFullCollection: true) - _memoryBefore, long.MinValue, MemoryBound);
    }

    public static PingFlood Start(AttackerLink attacker, PeerLink victim, TimeSpan duration) => new(attacker, victim, duration);
}
