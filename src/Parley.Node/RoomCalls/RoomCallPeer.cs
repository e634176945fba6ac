using Parley.Core.Calls;
using Parley.Core.Hub.RoomCalls;
using Parley.Core.Identity;

namespace Parley.Node.RoomCalls;

/// <summary>
/// Another participant as this node sees it: who it is, what it last said of itself (muted, camera,
/// sharing), how loud it last was (the level its packets carry in the clear for the hub), and its
/// frames being put back together. Guarded by the session's lock.
/// </summary>
internal sealed class RoomCallPeer(ushort participant, DeviceId device, string name, RoomCallMedia media)
{
    public ushort Participant { get; } = participant;

    public DeviceId Device { get; } = device;

    /// <summary>Its name as shown; a directory lookup may come back with a better one after it joined.</summary>
    public string Name { get; set; } = name;

    public RoomCallMedia Media { get; } = media;

    public RoomCallPeerState State { get; set; }

    /// <summary>The level of its last audio packet, in dBov (127 is silence).</summary>
    public byte Level { get; set; } = 127;

    public FrameAssembler Frames { get; } = new();

    /// <summary>Whether a keyframe of its camera or screen has come since we joined (until then its deltas cannot be decoded).</summary>
    public bool[] HadKeyframe { get; } = new bool[3];

    /// <summary>Its camera's and screen's frames since their last keyframes, by stream (none for audio): a page that attaches late begins from them.</summary>
    public RoomCallReplay?[] Replays { get; } = [null, new(), new()];

    /// <summary>When we last asked it for a keyframe.</summary>
    private long _keyframeAskedAt = long.MinValue;

    /// <summary>Whether to ask it for a keyframe now: not more often than <see cref="RoomCallSession.KeyframeAskInterval"/>.</summary>
    public bool TryAskKeyframe(TimeProvider time)
    {
        var now = time.GetTimestamp();
        if (_keyframeAskedAt != long.MinValue && time.GetElapsedTime(_keyframeAskedAt, now) < RoomCallSession.KeyframeAskInterval)
        {
            return false;
        }
        _keyframeAskedAt = now;
        return true;
    }

    /// <summary>The next video sequence expected from it, for NACKs of what the hub did not bring.</summary>
    public ushort? NextVideoSequence { get; set; }

    public RoomCallPeerView View() => new(Participant, Device.ToString(), Name, Media.HasFlag(RoomCallMedia.Video),
        State.HasFlag(RoomCallPeerState.Muted), State.HasFlag(RoomCallPeerState.CameraOff), State.HasFlag(RoomCallPeerState.Sharing));
}
