using System.Buffers;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Hub;

/// <summary>
/// Rooms: members create, join, leave and list them; the hub tells a room's members who came and
/// went, passes sealed sender keys between members, and fans each sealed message out to the other
/// members online. It reads neither keys nor messages.
/// </summary>
internal sealed class RoomsFeature(HubRooms rooms, IHubMembers members, TimeProvider time) : IHubFeature
{
    private long _deliveries;

    public IReadOnlyList<FrameSpec> Takes { get; } =
    [
        FrameSpec.Of<RoomCommand>(FrameType.RoomCommand),
        FrameSpec.Of<RoomKey>(FrameType.RoomKey),
        FrameSpec.Of<RoomMessage>(FrameType.RoomMessage),
    ];

    public IReadOnlyList<FrameSpec> Sends { get; } =
    [
        FrameSpec.Of<RoomMembersReply>(FrameType.RoomReply), // or a RoomListReply: the same cap
        FrameSpec.Of<RoomNotice>(FrameType.RoomNotice),
        FrameSpec.Of<RoomKey>(FrameType.RoomKey),
        FrameSpec.Of<RoomMessage>(FrameType.RoomMessage),
    ];

    /// <summary>Room messages handed to members since start.</summary>
    public long Deliveries => Interlocked.Read(ref _deliveries);

    public HubBudget BudgetFor(FrameType type) => type switch
    {
        FrameType.RoomMessage => HubBudget.RoomTraffic,
        FrameType.RoomKey => HubBudget.RoomKeys,
        _ => HubBudget.Requests,
    };

    public ValueTask OnFrameAsync(Member member, Frame frame)
    {
        switch (frame.Type)
        {
            case FrameType.RoomCommand:
                Command(member, frame.Read<RoomCommand>());
                break;
            case FrameType.RoomKey:
                ForwardKey(member, frame.Read<RoomKey>(), frame);
                break;
            case FrameType.RoomMessage:
                FanOut(member, frame.Read<RoomMessage>(), frame);
                break;
        }
        return ValueTask.CompletedTask;
    }

    private void Command(Member member, RoomCommand command)
    {
        var (id, op, room) = command;
        if (op == RoomOp.List)
        {
            member.Send(FrameType.RoomReply, new RoomListReply(id, null, rooms.Names()));
            return;
        }
        // The member pays for the notices its change sends (each receiver then rekeys), before it is made.
        if (op is RoomOp.Join or RoomOp.Leave && rooms.Members(room) is { } before && (op == RoomOp.Join || before.ContainsKey(member.Id))
            && member.Limits.TryNotify(before.Keys.Count(other => other != member.Id)) is { } tooFast)
        {
            member.Send(FrameType.RoomReply, new RoomMembersReply(id, tooFast, []));
            return;
        }
        var error = op switch
        {
            RoomOp.Create => rooms.Create(room, member.Id, member.Name, time.GetUtcNow()),
            RoomOp.Join => rooms.Join(room, member.Id, member.Name),
            RoomOp.Leave => rooms.Leave(room, member.Id),
            _ => null, // Members only asks
        };
        var roomMembers = rooms.Members(room);
        if (error is null && roomMembers is null)
        {
            error = $"there is no #{room}";
        }
        if (error is null && op is RoomOp.Create or RoomOp.Join or RoomOp.Leave)
        {
            // Each member told rekeys: a new sender key for every other member, which this change (not it) caused.
            var notice = new RoomNotice(op != RoomOp.Leave, room, member.Id, member.Name).ToArray();
            SendToOthers(roomMembers!.Keys, member.Id, FrameType.RoomNotice, notice, rekeys: roomMembers.Count - 1);
        }
        var list = error is null ? roomMembers!.Select(m => new RoomMember(m.Key, m.Value, members.IsOnline(m.Key))).ToList() : [];
        member.Send(FrameType.RoomReply, new RoomMembersReply(id, error, list));
    }

    /// <summary>Passes a sealed sender key from one member of a room to another; nothing else is let through.</summary>
    private void ForwardKey(Member member, RoomKey key, in Frame frame)
    {
        if (key.From != member.Id)
        {
            throw new ProtocolException("room key sent in another's name");
        }
        if (rooms.IsMember(key.Room, key.From) && rooms.IsMember(key.Room, key.To) && members.TryGet(key.To, out var target))
        {
            target.Link.TrySend(FrameType.RoomKey, frame.Payload.ToArray()); // passed on as sent
        }
    }

    /// <summary>Sends a member's sealed room message to every other online member, never back to the sender.</summary>
    private void FanOut(Member member, RoomMessage message, in Frame frame)
    {
        if (message.Sender != member.Id)
        {
            throw new ProtocolException("room message sent in another's name");
        }
        var roomMembers = rooms.Members(message.Room);
        if (roomMembers is not null && roomMembers.ContainsKey(member.Id))
        {
            Interlocked.Add(ref _deliveries, SendToOthers(roomMembers.Keys, member.Id, FrameType.RoomMessage, frame.Payload.ToArray()));
        }
    }

    /// <summary>Sends to each online member but <paramref name="except"/>, crediting each with <paramref name="rekeys"/> sender keys; returns how many it reached.</summary>
    private int SendToOthers(IEnumerable<DeviceId> to, DeviceId except, FrameType type, byte[] payload, int rekeys = 0)
    {
        var sent = 0;
        foreach (var id in to)
        {
            if (id != except && members.TryGet(id, out var online))
            {
                online.Limits.GrantRekeys(rekeys);
                online.Link.TrySend(type, payload);
                sent++;
            }
        }
        return sent;
    }
}
