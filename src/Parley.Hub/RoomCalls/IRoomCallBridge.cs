using Parley.Core.Hub.Cluster;

namespace Parley.Hub;

/// <summary>
/// Room calls across the hubs of a cluster (<see cref="ClusterRoomCalls"/>); a single hub has none. Each hub
/// runs the call for its own members; the bridge tells the others who is in it here, learns who is in it
/// there, and carries media, NACKs and keyframe requests between hubs and frame keys between participants.
/// </summary>
internal interface IRoomCallBridge
{
    /// <summary>This hub's participants in the room's call changed (or it has none left): the other hubs are told.</summary>
    void Changed(string room);

    /// <summary>The other hubs' parts of the room's call, as last heard.</summary>
    IReadOnlyList<ClusterRoomCall> Known(string room);

    /// <summary>The room's members changed here: the other hubs' parts of its call are taken again (a participant left out as no member may be one now), and keys held for them passed.</summary>
    void Recheck(string room);

    /// <summary>A hop packet (its tag slot included, unsealed) to another hub of the call.</summary>
    void Send(RoomCallHub hub, ReadOnlySpan<byte> packet);

    /// <summary>A participant's sealed frame key for <paramref name="recipient"/>, on another hub.</summary>
    void PassKey(RoomCall call, ushort sender, RoomCallRemote recipient, byte[] sealedKey);
}
