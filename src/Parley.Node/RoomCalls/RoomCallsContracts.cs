namespace Parley.Node.RoomCalls;

/// <summary>
/// <c>POST /api/rooms/{room}/call</c>: join (or start) the room's call, with video or voice only. <paramref name="Join"/>, if given,
/// names this join: a media channel opened beside it with <c>?join=</c> the same attaches to this join's session only, never to
/// one it replaces.
/// </summary>
public sealed record RoomCallJoinRequest(bool Video = true, string? Join = null);

/// <summary>Another participant, as the API and the page's media channel show it.</summary>
public sealed record RoomCallPeerView(ushort Participant, string Device, string Name, bool Video, bool Muted, bool CameraOff, bool Sharing);

/// <summary>The room call this node is in (or not: <see cref="InCall"/> false), with everyone else in it.</summary>
public sealed record RoomCallInfo(string Room, bool InCall, ushort Participant, bool Video, IReadOnlyList<RoomCallPeerView> Others)
{
    /// <summary>What this node counted in the call (from <c>GET /api/rooms/{room}/call</c> only).</summary>
    public RoomCallCounters? Counters { get; init; }
}

/// <summary>
/// A room call's counters at this node: frames given to the page by kind, packets that did not open
/// (no key, a bad tag), packets dropped waiting for their sender's key, frames that came back from our
/// own participant ID (the hub must send none), keyframe requests the hub passed us, packets resent for NACKs.
/// </summary>
public sealed record RoomCallCounters(long AudioFrames, long VideoFrames, long ScreenFrames, long Unopened, long AwaitingKeyDropped, long OwnFrames,
    long KeyframeRequests, long Resent);

/// <summary>What a page says in text on a room call's media channel: its state, its microphone's level, a decoder that lost its footing.</summary>
public sealed record RoomCallPageNotice(string Type, bool Muted = false, bool CameraOff = false, bool Sharing = false, double Level = 0, ushort Participant = 0,
    string? Stream = null)
{
    public const string StateType = "state";
    public const string LevelType = "level";
    public const string KeyframeType = "keyframe";
}

/// <summary>What the node tells its page in text: who is in the call now, a keyframe wanted of us, the call's end.</summary>
public sealed record RoomCallNodeNotice(string Type, RoomCallInfo? Call = null, string? Reason = null)
{
    public static RoomCallNodeNotice Participants(RoomCallInfo call) => new("participants", call);

    public static RoomCallNodeNotice Keyframe { get; } = new("keyframe");

    public static RoomCallNodeNotice Ended(string reason) => new("ended", Reason: reason);
}
