using System.Buffers;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Hub;

/// <summary>
/// Rooms: members create, join, leave and list them; every message and every notice of who came and
/// went goes into the room's log (<see cref="RoomLog"/>), which each member reads in order from where
/// it left off; sealed sender keys pass between members and are held until acknowledged; key requests
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

    public void OnMemberDisconnected(Member member) => log.Disconnected(member);

    internal IReadOnlyList<RoomEntry> Entries(string room) => log.Entries(room);

    /// <summary>Stops the log's writer once what it holds is on disk.</summary>
    public ValueTask DisposeAsync() => log.DisposeAsync();

    private async Task CommandAsync(Member member, RoomCommand command)
    {
        var (id, op, room) = command;
        if (op == RoomOp.List)
        {
            member.Send(FrameType.RoomReply, new RoomListReply(id, null, rooms.Names()));
            return;
        }
        var wasMember = rooms.IsMember(room, member.Id);
        var changes = op switch
        {
            RoomOp.Create => true,
            RoomOp.Join => !wasMember, // a member rejoining after a reconnect changes nothing: no notice, no rekey
            RoomOp.Leave => wasMember,
            _ => false,
        };
        // The member pays for the notices its change sends (each receiver then rekeys), before it is made.
        if (changes && rooms.Members(room) is { } before && member.Limits.TryNotify(before.Keys.Count(other => other != member.Id)) is { } tooFast)
        {
            member.Send(FrameType.RoomReply, new RoomMembersReply(id, tooFast, []));
            return;
        }
        var error = op switch
        {
            RoomOp.Create => rooms.Create(room, member.Id, member.Name, time.GetUtcNow()),
            RoomOp.Join when changes => rooms.Join(room, member.Id, member.Name),
            RoomOp.Join => null,
            RoomOp.Leave => rooms.Leave(room, member.Id),
            _ => null, // Members only asks
        };
        var roomMembers = rooms.Members(room);
        if (error is null && roomMembers is null)
        {
            error = $"there is no #{room}";
        }
        if (error is null && changes)
        {
            error = await AnnounceAsync(room, new RoomNotice(op != RoomOp.Leave, room, member.Id, member.Name), member.Id, joined: op != RoomOp.Leave)
                .ConfigureAwait(false);
        }
        var list = error is null ? roomMembers!.Select(m => new RoomMember(m.Key, m.Value, members.IsOnline(m.Key))).ToList() : [];
        member.Send(FrameType.RoomReply, new RoomMembersReply(id, error, list));
    }

    /// <summary>
    /// Puts a notice in the room's log, for every member, online or not. A member who joined reads from
    /// its own join notice on; one who left is forgotten first, so it gets nothing after.
    /// </summary>
    private async Task<string?> AnnounceAsync(string room, RoomNotice notice, DeviceId about, bool joined)
    {
        if (!joined)
        {
            log.Forget(room, about);
        }
        try
        {
            var seq = await log.AnnounceAsync(room, about, notice).ConfigureAwait(false);
            if (joined)
            {
                log.Admit(room, about, seq);
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
        if (rooms.IsMember(request.Room, member.Id) && rooms.IsMember(request.Room, request.Owner) && log.Reader(request.Room, request.Owner) is { } owner)
        {
            owner.Link.TrySend(FrameType.RoomKeyRequest, frame.Payload.ToArray());
        }
    }
}
