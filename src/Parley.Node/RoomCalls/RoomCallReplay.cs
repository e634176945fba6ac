using Parley.Core.Calls;

namespace Parley.Node.RoomCalls;

/// <summary>
/// One participant's camera or screen frames since its last keyframe, so that a page which starts
/// after that keyframe went by can begin at once from it instead of asking the sender for another.
/// A newcomer's node gets the keyframes the others make for it before its page has a decoder for
/// them (the page's media channel opens, then learns the participants, then makes decoders): without
/// this, the page asked the sender through the hub, whose merge window could swallow the ask, and
/// waited a second or more for the next keyframe. Bounded by <see cref="MaxFrames"/> and
/// <see cref="MaxBytes"/>: a longer run is forgotten until the next keyframe. Guarded by the session's lock.
/// </summary>
internal sealed class RoomCallReplay
{
    /// <summary>Frames kept since the keyframe (two seconds at 30 frames a second). 60.</summary>
    public const int MaxFrames = 60;

    /// <summary>Bytes kept since the keyframe (a 360p keyframe is about 30 KB, a second of deltas about 60 KB). 512 KiB.</summary>
    public const int MaxBytes = 512 * 1024;

    /// <summary>A run whose newest frame is older than this has stopped (camera off, sharing ended): not replayed. 1 s.</summary>
    public static readonly TimeSpan MaxIdle = TimeSpan.FromSeconds(1);

    private readonly List<MediaFrame> _frames = [];
    private int _bytes;
    private long _lastAt;

    /// <summary>Notes a whole frame as it goes to the page: a keyframe starts a new run, a delta extends the current one.</summary>
    public void Add(MediaFrame frame, long now)
    {
        if (frame.Keyframe)
        {
            _frames.Clear();
            _bytes = 0;
        }
        else if (_frames.Count == 0)
        {
            return; // no keyframe to start from
        }
        if (_frames.Count == MaxFrames || _bytes + frame.Data.Length > MaxBytes)
        {
            _frames.Clear(); // too long to replay quickly: the page asks the sender instead
            _bytes = 0;
            return;
        }
        _frames.Add(frame);
        _bytes += frame.Data.Length;
        _lastAt = now;
    }

    /// <summary>Forgets the run (a frame of it was lost): nothing is replayed until the next keyframe.</summary>
    public void Clear()
    {
        _frames.Clear();
        _bytes = 0;
    }

    /// <summary>The run from its keyframe, oldest first; empty when there is none or it stopped more than <see cref="MaxIdle"/> ago.</summary>
    public IReadOnlyList<MediaFrame> Run(long now, TimeProvider time) =>
        _frames.Count > 0 && time.GetElapsedTime(_lastAt, now) <= MaxIdle ? _frames : [];
}
