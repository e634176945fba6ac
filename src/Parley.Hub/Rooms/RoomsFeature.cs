using System.Buffers;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Hub;

/// <summary>
/// Rooms: members create, join (with an owner's invite, unless the room is public), leave and list
/// them; owners invite, remove and set the signed policy. Every message and every notice of a change
/// goes into the room's log (<see cref="RoomLog"/>), which each member reads in order from where it
/// left off; sealed sender keys pass between members and are held until acknowledged; key requests
/// pass from a member to the key's owner. The hub reads neither keys nor messages.
/// </summary>
internal sealed class RoomsFeature(HubRooms rooms, RoomLog log, IHubMembers members, TimeProvider time) : IHubFeature, IAsyncDisposable
{
    public IReadOnlyList<FrameSpec> Takes { get; } =
    [
        FrameSpec.Of<RoomCommand>(FrameType.RoomCommand),
        FrameSpec.Of<RoomKey>(FrameType.RoomKey),
        FrameSpec.Of<RoomMessage>(FrameType.RoomMessage),
        FrameSpec.Of<RoomPosition>(FrameType.RoomAck),
        FrameSpec.Of<RoomPosition>(FrameType.RoomSync),
        FrameSpec.Of<RoomKeyRef>(FrameType.RoomKeyAck),
        FrameSpec.Of<RoomKeyRef>(FrameType.RoomKeyRequest),
    ];

    public IReadOnlyList<FrameSpec> Sends { get; } =
    [
        FrameSpec.Of<RoomMembersReply>(FrameType.RoomReply), // or a RoomListReply: the same cap
        FrameSpec.Of<RoomNotice>(FrameType.RoomNotice), // only to a device not (or no longer) in the room: invited, removed
        FrameSpec.Of<RoomKey>(FrameType.RoomKey),
        FrameSpec.Of<RoomEntry>(FrameType.RoomEntry),
        FrameSpec.Of<RoomPosted>(FrameType.RoomPosted),
        FrameSpec.Of<RoomSyncState>(FrameType.RoomSyncState),
        FrameSpec.Of<RoomReceipts>(FrameType.RoomReceipts),
        FrameSpec.Of<RoomKeyRef>(FrameType.RoomKeyRequest),
    ];

    /// <summary>Room log entries handed to members since start.</summary>
    public long Deliveries => log.Deliveries;

    public HubBudget BudgetFor(FrameType type) => type switch
    {
        FrameType.RoomMessage => HubBudget.RoomTraffic,
        FrameType.RoomAck or FrameType.RoomKeyAck => HubBudget.RoomAcks,
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

    public void OnMemberDisconnected(Member member) => log.Disconnected(member);

    public async ValueTask OnFrameAsync(Member member, Frame frame)
    {
        switch (frame.Type)
        {
            case FrameType.RoomCommand:
                await CommandAsync(member, frame.Read<RoomCommand>()).ConfigureAwait(false);
                break;
            case FrameType.RoomKey:
                ForwardKey(member, frame.Read<RoomKey>(), frame);
                break;
            case FrameType.RoomMessage:
                Post(member, frame.Read<RoomMessage>());
                break;
            case FrameType.RoomAck:
                var ack = frame.Read<RoomPosition>();
                log.Ack(member, ack.Room, ack.Seq);
                break;
            case FrameType.RoomSync:
                var sync = frame.Read<RoomPosition>();
                log.Sync(member, sync.Room, sync.Seq);
                break;
            case FrameType.RoomKeyAck:
                var keyAck = frame.Read<RoomKeyRef>();
                log.ReleaseKey(keyAck.Room, member.Id, keyAck.Owner, keyAck.KeyId);
                break;
            case FrameType.RoomKeyRequest:
                PassKeyRequest(member, frame.Read<RoomKeyRef>(), frame);
                break;
        }
    }

    private async Task CommandAsync(Member member, RoomCommand command)
    {
        var (id, op, room) = command;
        if (op == RoomOp.List)
        {
            member.Send(FrameType.RoomReply, new RoomListReply(id, null, rooms.Listings()));
            return;
        }
        // A member rejoining after a reconnect changes nothing: no notice, no rekey; it syncs the log from where it was.
        // One listed without a place in the log (its join notice was never stored) joins again, notice and all.
        var rejoin = op == RoomOp.Join && rooms.IsMember(room, member.Id) && log.HasPlace(room, member.Id);
        // The member pays for the notices its change sends (each receiver then rekeys), before it is made.
        if (!rejoin && op is RoomOp.Join or RoomOp.Leave or RoomOp.Remove && rooms.Members(room) is { } before
            && (op != RoomOp.Leave || before.ContainsKey(member.Id))
            && member.Limits.TryNotify(before.Keys.Count(other => other != member.Id)) is { } tooFast)
        {
            member.Send(FrameType.RoomReply, new RoomMembersReply(id, tooFast, []));
            return;
        }
        var now = time.GetUtcNow();
        var error = op switch
        {
            RoomOp.Join when rejoin => null,
            RoomOp.Create => await CreatedAsync(member, room, command.Blob, now).ConfigureAwait(false),
            RoomOp.Join => await JoinedAsync(member, room, command.Blob, now).ConfigureAwait(false),
            RoomOp.Leave => await LeftAsync(member, room).ConfigureAwait(false),
            RoomOp.Invite => Invited(member, room, command.Blob, now),
            RoomOp.Remove => await RemovedAsync(member, room, command).ConfigureAwait(false),
            RoomOp.Policy => await PolicySetAsync(member, room, command.Blob).ConfigureAwait(false),
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

    private async Task<string?> CreatedAsync(Member member, string room, byte[] policy, DateTimeOffset now) =>
        rooms.Create(room, member.Id, member.Name, now, policy)
        ?? await AnnounceAsync(room, new RoomNotice(RoomNoticeKind.Joined, room, member.Id, member.Name) { By = member.Id, ByName = member.Name })
            .ConfigureAwait(false);

    private async Task<string?> JoinedAsync(Member member, string room, byte[] invite, DateTimeOffset now)
    {
        var wasMember = rooms.IsMember(room, member.Id);
        var (error, proof) = rooms.Join(room, member.Id, member.Name, invite, now);
        // The proof goes along: each member checks it before it seals its new key to the joiner.
        error ??= await AnnounceAsync(room, new RoomNotice(RoomNoticeKind.Joined, room, member.Id, member.Name)
        {
            By = member.Id, ByName = member.Name, Proof = proof,
        }).ConfigureAwait(false);
        if (error is not null && !wasMember && !log.HasPlace(room, member.Id))
        {
            rooms.Leave(room, member.Id); // the notice could not be stored: not a member the log knows nothing of
        }
        return error;
    }

    private async Task<string?> LeftAsync(Member member, string room) =>
        rooms.Leave(room, member.Id)
        ?? await AnnounceAsync(room, new RoomNotice(RoomNoticeKind.Left, room, member.Id, member.Name) { By = member.Id, ByName = member.Name })
            .ConfigureAwait(false);

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

    /// <summary>An owner removes a member: the log tells everyone left (and they rekey); the one removed, no longer reading it, is told directly.</summary>
    private async Task<string?> RemovedAsync(Member member, string room, RoomCommand command)
    {
        if (!command.TryReadDevice(out var target))
        {
            return "say which member to remove by its device ID";
        }
        var before = rooms.Members(room);
        var error = rooms.Remove(room, member.Id, target);
        if (error is not null)
        {
            return error;
        }
        var notice = new RoomNotice(RoomNoticeKind.Removed, room, target, before?.GetValueOrDefault(target) ?? target.Short) { By = member.Id, ByName = member.Name };
        if (members.TryGet(target, out var removed))
        {
            removed.Send(FrameType.RoomNotice, notice);
        }
        return await AnnounceAsync(room, notice).ConfigureAwait(false);
    }

    /// <summary>An owner's new policy (topic, public, owners): every member is told, with the signed policy to check.</summary>
    private async Task<string?> PolicySetAsync(Member member, string room, byte[] policy) =>
        rooms.SetPolicy(room, member.Id, policy)
        ?? await AnnounceAsync(room, new RoomNotice(RoomNoticeKind.Policy, room, member.Id, member.Name) { By = member.Id, ByName = member.Name, Proof = policy })
            .ConfigureAwait(false);

    /// <summary>
    /// Puts a notice in the room's log, for every member, online or not (the one who made the change
    /// too). A member who joined reads from its own join notice on; one who left or was removed is
    /// forgotten first, so it gets nothing after. Every notice goes through here.
    /// </summary>
    private async Task<string?> AnnounceAsync(string room, RoomNotice notice)
    {
        if (notice.Kind is RoomNoticeKind.Left or RoomNoticeKind.Removed)
        {
            log.Forget(room, notice.Member);
        }
        try
        {
            var seq = await log.AnnounceAsync(room, notice.Member, notice).ConfigureAwait(false);
            // Still a member once the notice is stored: an owner may have removed it meanwhile, and a removed device gets no place in the log.
            if (notice.Kind == RoomNoticeKind.Joined && rooms.IsMember(room, notice.Member))
            {
                log.Admit(room, notice.Member, seq);
            }
            return null;
        }
        catch (InvalidOperationException e)
        {
            return e.Message;
        }
    }

    private void Post(Member member, RoomMessage message)
    {
        if (message.Sender != member.Id)
        {
            throw new ProtocolException("room message sent in another's name");
        }
        if (!rooms.IsMember(message.Room, member.Id))
        {
            member.Send(FrameType.RoomPosted, new RoomPosted(message.PostId, 0, $"you are not in #{message.Room}"));
            return;
        }
        log.Post(member, message);
    }

    /// <summary>Passes a sealed sender key from one member of a room to another, held until acknowledged; nothing else is let through.</summary>
    private void ForwardKey(Member member, RoomKey key, in Frame frame)
    {
        if (key.From != member.Id)
        {
            throw new ProtocolException("room key sent in another's name");
        }
        if (rooms.IsMember(key.Room, key.From) && rooms.IsMember(key.Room, key.To) && key.To != key.From)
        {
            log.HoldKey(key, frame.Payload.ToArray());
        }
    }

    /// <summary>A member asks the owner of a key for it: passed on only between members, to the owner if it is online (the asker asks again later).</summary>
    private void PassKeyRequest(Member member, RoomKeyRef request, in Frame frame)
    {
        if (request.Member != member.Id)
        {
            throw new ProtocolException("key request sent in another's name");
        }
        if (rooms.IsMember(request.Room, member.Id) && rooms.IsMember(request.Room, request.Owner))
        {
            if (log.Reader(request.Room, request.Owner) is { } owner)
            {
                owner.Link.TrySend(FrameType.RoomKeyRequest, frame.Payload.ToArray());
            }
            else
            {
                KeyRequestsElsewhere?.Invoke(frame.Payload.ToArray());
            }
        }
    }

    /// <summary>In a cluster: where a key request goes when the key's owner reads on no link of this hub (the hub it reads on passes it).</summary>
    public Action<byte[]>? KeyRequestsElsewhere { get; set; }

    internal IReadOnlyList<RoomEntry> Entries(string room) => log.Entries(room);

    /// <summary>Stops the log's writer once what it holds is on disk.</summary>
    public ValueTask DisposeAsync() => log.DisposeAsync();
}
