using Parley.Core.Hub.RoomCalls;

namespace Parley.Hub;

/// <summary>
/// Which temporal layers the hub forwards to ONE receiver, per source: its own choice, so a weak receiver
/// lowers only what it gets. The signal is the receiver's path: the hub counts every packet it sends it
/// (a failed send included, so the hub's own send failures count as loss) and each
/// <see cref="RoomCallHopKind.Report"/> says how many arrived. Packets the hub skipped on purpose were never
/// sent, so they never count as lost; a receiver that NACKs a skipped one is not answered (see
/// <see cref="Allows"/>). Loss is smoothed (a report's packets still in flight show as loss once and as
/// a surplus the next time), then: above <see cref="DownLoss"/> the source with the most layers loses one
/// at once, every report while it lasts; below <see cref="UpLoss"/> for <see cref="Hold"/> (doubled after a
/// probe that failed, up to <see cref="MaxHold"/>) the source with the fewest gains one back: a probe.
/// Audio is never layered.
/// </summary>
internal sealed class RoomCallLayers(TimeProvider time)
{
    public const double DownLoss = 0.10;
    public const double UpLoss = 0.03;

    /// <summary>Fewest packets sent since the last report for a report to count. 8.</summary>
    public const int MinSample = 8;

    public static readonly TimeSpan Hold = TimeSpan.FromSeconds(3);
    public static readonly TimeSpan MaxHold = TimeSpan.FromSeconds(24);

    private readonly Lock _lock = new();
    private readonly Dictionary<ushort, int> _caps = [];
    private long _sent;
    private long _sentAtReport;
    private uint _receivedAtReport;
    private bool _reported;
    private double _loss;
    private long _changedAt;
    private long _probedAt = long.MinValue / 2;
    private TimeSpan _hold = Hold;
    private int _reports;

    /// <summary>Reports taken from this receiver so far.</summary>
    public int Reports => Volatile.Read(ref _reports);

    /// <summary>The smoothed loss on the path to this receiver, 0-1.</summary>
    public double Loss
    {
        get
        {
            lock (_lock)
            {
                return Math.Clamp(_loss, 0, 1);
            }
        }
    }

    /// <summary>One more packet sent (or tried) to this receiver.</summary>
    public void Sent() => Interlocked.Increment(ref _sent);

    /// <summary>The highest layer of <paramref name="source"/>'s video this receiver gets now.</summary>
    public int Cap(ushort source)
    {
        lock (_lock)
        {
            return _caps.TryGetValue(source, out var cap) ? cap : RoomCallHop.TopLayer;
        }
    }

    /// <summary>Whether a packet of <paramref name="source"/>'s <paramref name="stream"/> at <paramref name="layer"/> goes to this receiver.</summary>
    public bool Allows(ushort source, byte stream, int layer) => stream != RoomCallHop.VideoStream || layer <= Cap(source);

    /// <summary>A source left: its choice goes with it.</summary>
    public void Forget(ushort source)
    {
        lock (_lock)
        {
            _caps.Remove(source);
        }
    }

    /// <summary>The receiver's report: <paramref name="received"/> packets since it joined (wrapping). <paramref name="sources"/>: who sends it video now, with the highest layer each has sent.</summary>
    public void OnReport(uint received, IReadOnlyList<(ushort Id, int Top)> sources)
    {
        Interlocked.Increment(ref _reports);
        lock (_lock)
        {
            var sent = Interlocked.Read(ref _sent);
            if (!_reported)
            {
                (_reported, _sentAtReport, _receivedAtReport, _changedAt) = (true, sent, received, time.GetTimestamp());
                return;
            }
            var sentNow = sent - _sentAtReport;
            if (sentNow < MinSample)
            {
                return; // too few to tell; they count with the next report's
            }
            var arrived = (long)unchecked(received - _receivedAtReport);
            (_sentAtReport, _receivedAtReport) = (sent, received);
            Decide((sentNow - arrived) / (double)sentNow, sources);
        }
    }

    private void Decide(double loss, IReadOnlyList<(ushort Id, int Top)> sources)
    {
        _loss = (_loss + Math.Clamp(loss, -1, 1)) / 2;
        var now = time.GetTimestamp();
        if (_loss > DownLoss)
        {
            if (Pick(sources, highest: true) is { } source)
            {
                _caps[source.Id] = Math.Min(Cap(source.Id), source.Top) - 1;
                // A probe that failed within a hold: wait twice as long before the next.
                _hold = time.GetElapsedTime(_probedAt, now) < _hold ? TimeSpan.FromTicks(Math.Min(_hold.Ticks * 2, MaxHold.Ticks)) : _hold;
                _changedAt = now;
            }
        }
        else if (_loss < UpLoss && time.GetElapsedTime(_changedAt, now) >= _hold && Pick(sources, highest: false) is { } source)
        {
            _caps[source.Id] = Cap(source.Id) + 1;
            (_changedAt, _probedAt) = (now, now);
        }
    }

    /// <summary>The source with the most layers that can lose one, or the one with the fewest that can gain one.</summary>
    private (ushort Id, int Top)? Pick(IReadOnlyList<(ushort Id, int Top)> sources, bool highest)
    {
        (ushort Id, int Top)? best = null;
        var bestCap = 0;
        foreach (var source in sources)
        {
            var cap = Math.Min(Cap(source.Id), source.Top);
            var can = highest ? cap > 0 : cap < source.Top;
            if (can && (best is null || (highest ? cap > bestCap : cap < bestCap)))
            {
                (best, bestCap) = (source, cap);
            }
        }
        return best;
    }
}
