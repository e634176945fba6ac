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

    /// <summary>A device an owner invited while it was away hears of it when it comes online.</summary>
    public void OnMemberConnected(Member member)
    {
        foreach (var (invite, byName) in rooms.OpenInvitesFor(member.Id, time.GetUtcNow()))
        {
            member.Send(FrameType.RoomNotice, new RoomNotice(RoomNoticeKind.Invited, invite.Room, member.Id, member.Name)
            {
                By = invite.Signer, ByName = byName, Proof = invite.ToArray(),
            });
        }
    }

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
            member.Send(FrameType.RoomReply, new RoomListReply(id, null, rooms.Listings()));
            return;
        }
        // The member pays for the notices its change sends (each receiver then rekeys), before it is made.
        if (op is RoomOp.Join or RoomOp.Leave or RoomOp.Remove && rooms.Members(room) is { } before && (op != RoomOp.Leave || before.ContainsKey(member.Id))
            && member.Limits.TryNotify(before.Keys.Count(other => other != member.Id)) is { } tooFast)
        {
            member.Send(FrameType.RoomReply, new RoomMembersReply(id, tooFast, []));
            return;
        }
        var now = time.GetUtcNow();
        var error = op switch
        {
            RoomOp.Create => Created(member, room, command.Blob, now),
            RoomOp.Join => Joined(member, room, command.Blob, now),
            RoomOp.Leave => Left(member, room),
            RoomOp.Invite => Invited(member, room, command.Blob, now),
            RoomOp.Remove => Removed(member, room, command),
            RoomOp.Policy => PolicySet(member, room, command.Blob),
            _ => rooms.MaySeeMembers(room, member.Id, now) ? null : $"#{room} is invite-only: only its members and those invited see who is in it",
        };
        var roomMembers = rooms.Members(room);
        if (error is null && roomMembers is null)
        {
            error = $"there is no #{room}";
        }
        var list = error is null
            ? roomMembers!.Select(m => new RoomMember(m.Key, m.Value, members.IsOnline(m.Key)) { Proof = rooms.Proof(room, m.Key) }).ToList()
            : [];
        member.Send(FrameType.RoomReply, new RoomMembersReply(id, error, list) { Policy = error is null ? rooms.Policy(room)?.ToArray() ?? [] : [] });
    }

    private string? Created(Member member, string room, byte[] policy, DateTimeOffset now)
    {
        var error = rooms.Create(room, member.Id, member.Name, now, policy);
        if (error is null)
        {
            Announce(room, new RoomNotice(RoomNoticeKind.Joined, room, member.Id, member.Name) { By = member.Id, ByName = member.Name }, member.Id);
        }
        return error;
    }

    private string? Joined(Member member, string room, byte[] invite, DateTimeOffset now)
    {
        var (error, proof) = rooms.Join(room, member.Id, member.Name, invite, now);
        if (error is null)
        {
            // The proof goes along: each member checks it before it seals its new key to the joiner.
            Announce(room, new RoomNotice(RoomNoticeKind.Joined, room, member.Id, member.Name) { By = member.Id, ByName = member.Name, Proof = proof }, member.Id);
        }
        return error;
    }

    private string? Left(Member member, string room)
    {
        var error = rooms.Leave(room, member.Id);
        if (error is null)
        {
            Announce(room, new RoomNotice(RoomNoticeKind.Left, room, member.Id, member.Name) { By = member.Id, ByName = member.Name }, member.Id);
        }
        return error;
    }

    /// <summary>An owner's invite for one device: kept for the invitee's join, and the invitee told now if online.</summary>
    private string? Invited(Member member, string room, byte[] bytes, DateTimeOffset now)
    {
        var (error, invite) = rooms.Invite(room, member.Id, bytes, now);
        if (invite is not null && members.TryGet(invite.Invitee, out var invitee))
        {
            invitee.Send(FrameType.RoomNotice, new RoomNotice(RoomNoticeKind.Invited, room, invite.Invitee, invitee.Name)
            {
                By = member.Id, ByName = member.Name, Proof = bytes,
            });
        }
        return error;
    }

    /// <summary>An owner removes a member: everyone left is told (and rekeys), and so is the one removed.</summary>
    private string? Removed(Member member, string room, RoomCommand command)
    {
        if (!command.TryReadDevice(out var target))
        {
            return "say which member to remove by its device ID";
        }
        var before = rooms.Members(room);
        var error = rooms.Remove(room, member.Id, target);
        if (error is null)
        {
            var name = before?.GetValueOrDefault(target) ?? target.Short;
            var notice = new RoomNotice(RoomNoticeKind.Removed, room, target, name) { By = member.Id, ByName = member.Name };
            Announce(room, notice, member.Id);
            member.Limits.GrantRekeys((before?.Count ?? 1) - 2); // the owner rekeys for the others left, as each of them does
            if (members.TryGet(target, out var removed))
            {
                removed.Send(FrameType.RoomNotice, notice);
            }
        }
        return error;
    }

    /// <summary>An owner's new policy (topic, public, owners): every other member is told, with the signed policy to check.</summary>
    private string? PolicySet(Member member, string room, byte[] policy)
    {
        var error = rooms.SetPolicy(room, member.Id, policy);
        if (error is null)
        {
            Announce(room, new RoomNotice(RoomNoticeKind.Policy, room, member.Id, member.Name) { By = member.Id, ByName = member.Name, Proof = policy }, member.Id);
        }
        return error;
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

    /// <summary>
    /// Tells a room's members (but <paramref name="except"/>, who made the change and learns of it from
    /// its reply) of a change; every notice goes through here. A join, leave or removal makes each member
    /// told rekey, so it brings them credit for the keys they must send.
    /// </summary>
    private void Announce(string room, RoomNotice notice, DeviceId? except)
    {
        if (rooms.Members(room) is not { } roomMembers)
        {
            return;
        }
        var rekeys = notice.Kind is RoomNoticeKind.Joined or RoomNoticeKind.Left or RoomNoticeKind.Removed ? roomMembers.Count - 1 : 0;
        SendToOthers(roomMembers.Keys, except ?? default, FrameType.RoomNotice, notice.ToArray(), rekeys);
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
