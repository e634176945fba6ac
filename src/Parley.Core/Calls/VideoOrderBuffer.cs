namespace Parley.Core.Calls;

/// <summary>
/// Puts one video stream's completed frames back in order for the decoder. A frame that is late
/// (its packets are being resent) holds the ones after it for up to a wait budget; past that it
/// is given up: the buffer jumps to a keyframe it holds, or else drops what it holds and asks for
/// a keyframe, passing nothing but a keyframe until one comes (a decoder cannot use a delta frame
/// whose reference it never saw).
/// </summary>
public sealed class VideoOrderBuffer
{
    private const int MaxHeld = 64;
    private readonly SortedDictionary<int, MediaFrame> _held = [];
    // A stream starts at frame 0, a keyframe; waiting for it like any other frame keeps the first deltas if it is late.
    private int? _expected = 0;
    private long _waitingSince = -1;
    private bool _needKeyframe;
    private bool _discardedWhileWaiting;
    private uint? _lastDelivered; // timestamp (90 kHz) of the last frame released

    /// <summary>Frames given up on (never delivered).</summary>
    public long Skipped { get; private set; }

    /// <summary>Adds a completed frame; returns what can go to the decoder now, in order.</summary>
    public IReadOnlyList<MediaFrame> Add(MediaFrame frame, long nowMs)
    {
        var ready = new List<MediaFrame>();
        if (_needKeyframe)
        {
            if (!frame.Keyframe)
            {
                _discardedWhileWaiting = true;
                return ready;
            }
            _needKeyframe = false;
            _held.Clear();
            _expected = frame.Number;
        }
        var distance = Distance(frame.Number);
        if (distance < 0)
        {
            return ready; // older than what was delivered: too late
        }
        _held[distance] = frame;
        if (_held.Count > MaxHeld)
        {
            _held.Remove(_held.Keys.Last());
        }
        Release(ready, nowMs);
        return ready;
    }

    /// <summary>
    /// Called often: gives up a frame waited for longer than <paramref name="budgetMs"/>, or at once
    /// when it is older than <paramref name="resendableMs"/> (after an outage: the frames missing were
    /// captured longer ago than the sender keeps packets, so no resend will come). Returns what can
    /// go now, and whether a keyframe must be asked for.
    /// </summary>
    public (IReadOnlyList<MediaFrame> Ready, bool RequestKeyframe) Tick(long nowMs, long budgetMs, long resendableMs = long.MaxValue)
    {
        var ready = new List<MediaFrame>();
        if (_needKeyframe)
        {
            // Still waiting for a keyframe while deltas arrive: the request (or its answer) was lost; ask again.
            var again = _discardedWhileWaiting;
            _discardedWhileWaiting = false;
            return (ready, again);
        }
        if (_held.Count == 0 || _waitingSince < 0 || (nowMs - _waitingSince < budgetMs && !Hopeless(resendableMs)))
        {
            return (ready, false);
        }
        var keyframe = _held.Values.FirstOrDefault(f => f.Keyframe);
        Skipped += keyframe is null ? Distance(_held.Values.Last().Number) + 1 : Distance(keyframe.Number);
        if (keyframe is not null)
        {
            foreach (var older in _held.Where(h => h.Value.Number != keyframe.Number && h.Key < Distance(keyframe.Number)).Select(h => h.Key).ToList())
            {
                _held.Remove(older);
            }
            _expected = keyframe.Number;
            Rebase();
            Release(ready, nowMs);
            return (ready, false);
        }
        _held.Clear();
        _needKeyframe = true;
        _waitingSince = -1;
        return (ready, true);
    }

    /// <summary>Whether the gap before the first held frame spans more capture time than the sender keeps packets for.</summary>
    private bool Hopeless(long resendableMs)
    {
        if (_lastDelivered is not { } last)
        {
            return false;
        }
        var gap = (int)(_held.Values.First().Timestamp - last); // 90 kHz; negative if out of order
        return gap > 0 && gap / 90 > resendableMs;
    }

    private void Release(List<MediaFrame> ready, long nowMs)
    {
        var released = false;
        while (_held.Remove(0, out var next))
        {
            ready.Add(next);
            _lastDelivered = next.Timestamp;
            _expected = (ushort)(next.Number + 1);
            Rebase();
            released = true;
        }
        // The wait is for the frame now expected: it starts when that frame became the one missing.
        _waitingSince = _held.Count == 0 ? -1 : released || _waitingSince < 0 ? nowMs : _waitingSince;
    }

    /// <summary>Re-keys the held frames by their distance from the new expected number.</summary>
    private void Rebase()
    {
        var frames = _held.Values.ToList();
        _held.Clear();
        foreach (var frame in frames)
        {
            var distance = Distance(frame.Number);
            if (distance >= 0)
            {
                _held[distance] = frame;
            }
        }
    }

    /// <summary>How far after the expected frame a frame number is, across the u16 wrap; negative if before.</summary>
    private int Distance(ushort number) => _expected is { } expected ? (short)(ushort)(number - expected) : 0;
}
