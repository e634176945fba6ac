using Parley.Core.Hub.Relay;
using Parley.Core.Hub.RoomCalls;
using Parley.Core.Protocol;

namespace Parley.Hub;

/// <summary>
/// Room calls over a member's link: joining (room members only, within the hub's limits: a clear
/// refusal otherwise), leaving, hop packets when UDP does not pass, and frame keys sealed from one
/// participant to another (the hub puts in the real sender and passes them only within one call).
/// A member's link closing, or its leaving the room (or being removed), takes it out of its call.
/// </summary>
internal sealed class RoomCallFeature : IHubFeature
{
    private readonly RoomCallUnit _unit;
    private readonly HubRooms _rooms;

    public RoomCallFeature(RoomCallUnit unit, HubRooms rooms)
    {
        _unit = unit;
        _rooms = rooms;
        unit.IsMember = rooms.IsMember;
        // Out of the room, out of its call: removed or gone, a member stops hearing it at once.
        rooms.Departed += (room, device) =>
        {
            if (unit.CallOf(device) is { } entry && entry.Call.Room == room)
            {
                unit.Leave(device, RoomCallChange.Left);
            }
        };
        // In a cluster, a member another hub admitted may be in the room's call there already: its hub's entry can come
        // before the membership, and left it out as no member.
        rooms.Arrived += (room, _) => unit.Bridge?.Recheck(room);
    }

    public RoomCallUnit Unit => _unit;

    public IReadOnlyList<FrameSpec> Takes => RoomCallFrames.ToHub;

    public IReadOnlyList<FrameSpec> Sends => RoomCallFrames.FromHub;

    /// <summary>Packets over the link come at media rates: they spend the acknowledgements' larger allowance (and the participant's own budget).</summary>
    public HubBudget BudgetFor(FrameType type) => type switch
    {
        FrameType.RoomCallPacket => HubBudget.RoomAcks,
        FrameType.RoomCallKey => HubBudget.RoomTraffic,
        _ => HubBudget.Requests,
    };

    public ValueTask OnFrameAsync(Member member, Frame frame)
    {
        switch (frame.Type)
        {
            case FrameType.RoomCallJoin:
                Join(member, frame.Read<RoomCallJoin>());
                break;
            case FrameType.RoomCallLeave:
                if (_unit.CallOf(member.Id) is { } mine && mine.Call.Id == frame.Read<RoomCallLeave>().CallId)
                {
                    _unit.Leave(member.Id, RoomCallChange.Left, member);
                }
                break;
            case FrameType.RoomCallPacket:
                _unit.OnLinkPacket(member, frame.Read<RoomCallPacket>().Bytes);
                break;
            case FrameType.RoomCallKey:
                PassKey(member, frame.Read<RoomCallKey>());
                break;
            default:
                throw new ProtocolException($"unexpected {frame.Type} frame");
        }
        return ValueTask.CompletedTask;
    }

    private void Join(Member member, RoomCallJoin join)
    {
        if (!_rooms.IsMember(join.Room, member.Id))
        {
            member.Send(FrameType.RoomCallRefused, new RelayRefused(join.RequestId, $"you are not a member of #{join.Room}: only its members join its call"));
            return;
        }
        if (_unit.Join(member, join.RequestId, join.Room, join.Media) is { } refusal)
        {
            member.Send(FrameType.RoomCallRefused, new RelayRefused(join.RequestId, refusal));
        }
    }

    /// <summary>
    /// Passes a sealed key to a participant of the sender's own call, naming the sender (one on another hub: through
    /// that hub, <see cref="IRoomCallBridge.PassKey"/>); anything else is dropped.
    /// </summary>
    private void PassKey(Member member, RoomCallKey key)
    {
        if (_unit.CallOf(member.Id) is not { } mine || mine.Call.Id != key.CallId)
        {
            return;
        }
        switch (mine.Call.FindParty(key.Participant))
        {
            case RoomCallParticipant to when to != mine.Participant:
                to.Member.Send(FrameType.RoomCallKey, key with { Participant = mine.Participant.Id });
                break;
            case RoomCallRemote remote:
                _unit.Bridge?.PassKey(mine.Call, mine.Participant.Id, remote, key.Sealed);
                break;
            default:
                break;
        }
    }

    public void OnMemberConnected(Member member) => _unit.Leave(member.Id, RoomCallChange.Left);

    public void OnMemberDisconnected(Member member) => _unit.Leave(member.Id, RoomCallChange.Left, member);
}
