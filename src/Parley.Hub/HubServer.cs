using System.Buffers;
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Parley.Core.Hub.Directory;
using Parley.Core.Hub.Mailbox;
using Parley.Core.Hub.Presence;
using Parley.Core.Hub.Relay;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;

namespace Parley.Hub;

/// <summary>
/// The hub: nodes link to it over the same TLS peer links (pinned to its device ID); it tells
/// members who is online, keeps the signed directory and answers lookups. It never holds a key
/// that could read what nodes say to each other.
/// </summary>
public sealed partial class HubServer : IAsyncDisposable
{
    private readonly HubOptions _options;
    private readonly NodeIdentity _identity;
    private readonly LinkEstablisher _establisher;
    private readonly ILogger _logger;
    private readonly LinkListener _listener;
    private readonly ConcurrentDictionary<DeviceId, Member> _members = new();
    private readonly CancellationTokenSource _stopping = new();

    private sealed class Member(PeerLink link, TokenBucket bucket, TokenBucket messages)
    {
        public PeerLink Link { get; } = link;

        public TokenBucket Bucket { get; } = bucket;

        /// <summary>Room messages and keys: a higher rate than requests, still bounded.</summary>
        public TokenBucket Messages { get; } = messages;

        public string Name { get; set; } = link.RemoteHello.Name;

        /// <summary>Where others might reach the member directly: the address the hub sees, with the member's listening port.</summary>
        public string Address { get; } = link.AdvertisedEndPoint?.ToString() ?? "";
    }

    private HubServer(HubOptions options, NodeIdentity identity, LinkListener listener, ILoggerFactory loggerFactory)
    {
        _listener = listener;
        _options = options;
        _identity = identity;
        _logger = loggerFactory.CreateLogger("Parley.Hub");
        _establisher = new LinkEstablisher(identity, options.Link, loggerFactory);
        Directory = new HubDirectory(options.Home);
        Relay = new RelaySwitch(options);
    }

    public DeviceId DeviceId => _identity.DeviceId;

    public int Port => _listener.Port;

    internal HubDirectory Directory { get; }

    internal RelaySwitch Relay { get; }

    /// <summary>Devices linked now.</summary>
    public IReadOnlyCollection<DeviceId> Online => [.. _members.Keys];

    public static HubServer Start(HubOptions options, ILoggerFactory loggerFactory)
    {
        var listener = LinkListener.Bind(options.BindAddress, options.Port);
        var hub = new HubServer(options, NodeIdentity.LoadOrCreate(options.Home), listener, loggerFactory);
        listener.Start(hub._establisher,
            _ => new Hello(Hello.CurrentVersion, hub.DeviceId, HelloCapabilities.Hub, (ushort)hub.Port, HelloFlags.None, "hub"),
            link =>
            {
                hub.Register(link);
                return Task.CompletedTask;
            },
            (endpoint, reason) => HubLog.HandshakeFailed(hub._logger, endpoint, reason),
            hub.Relay.TryTakeAsync);
        return hub;
    }

    /// <summary>The line nodes pass to <c>parley up --hub</c> or <c>parley hub-join</c>.</summary>
    public Invite CreateInvite() => CreateInvite(_identity.DeviceId, Port);

    public static Invite CreateInvite(DeviceId hub, int port) => new(hub, "hub", LocalAddresses.IPv4(port, withLoopback: true));

    private void Register(PeerLink link)
    {
        var member = new Member(link, new TokenBucket(_options.RequestsPerSecond, _options.RequestBurst, _options.TimeProvider),
            new TokenBucket(_options.RoomMessagesPerSecond, (int)(_options.RoomMessagesPerSecond * 2), _options.TimeProvider));
        var id = link.RemoteId;
        if (_members.TryGetValue(id, out var old))
        {
            _ = old.Link.CloseAsync(CloseCode.Duplicate, "replaced by a newer connection");
        }
        _members[id] = member;
        var now = _options.TimeProvider.GetUtcNow();
        foreach (var (otherId, other) in _members.Where(m => m.Key != id))
        {
            link.TrySend(FrameType.Presence, new PresenceNotice(PresenceKind.Here, otherId, now, other.Name, other.Address).ToArray());
        }
        Broadcast(id, new PresenceNotice(PresenceKind.Joined, id, now, member.Name, member.Address));
        link.Start(OnFrameAsync);
        _ = link.Closed.ContinueWith(t => OnClosed(member, t.Result), TaskScheduler.Default);
        DeliverMail(member);
        HubLog.Joined(_logger, id.Short, member.Name, link.RemoteEndPoint.ToString());
    }

    private void OnClosed(Member member, LinkClosed closed)
    {
        var id = member.Link.RemoteId;
        if (!_members.TryRemove(new KeyValuePair<DeviceId, Member>(id, member)))
        {
            return;
        }
        var now = _options.TimeProvider.GetUtcNow();
        Directory.Seen(id, now);
        Broadcast(id, new PresenceNotice(PresenceKind.Left, id, now, member.Name));
        HubLog.Left(_logger, id.Short, member.Name, closed.Reason);
    }

    private void Broadcast(DeviceId except, PresenceNotice notice)
    {
        var encoded = notice.ToArray();
        foreach (var (id, member) in _members)
        {
            if (id != except)
            {
                member.Link.TrySend(FrameType.Presence, encoded);
            }
        }
    }

    private ValueTask OnFrameAsync(PeerLink link, Frame frame)
    {
        if (!_members.TryGetValue(link.RemoteId, out var member) || member.Link != link)
        {
            return ValueTask.CompletedTask;
        }
        if (frame.Type is FrameType.RoomMessage or FrameType.RoomKey)
        {
            if (!member.Messages.TryTake())
            {
                throw new ProtocolException($"too many room messages (over {_options.RoomMessagesPerSecond:0}/s)");
            }
        }
        else if (!member.Bucket.TryTake())
        {
            throw new ProtocolException($"too many requests (over {_options.RequestsPerSecond:0}/s)");
        }
        switch (frame.Type)
        {
            case FrameType.RoomCommand:
                RoomCommand(member, frame);
                break;
            case FrameType.RoomKey:
                ForwardRoomKey(member, frame);
                break;
            case FrameType.RoomMessage:
                FanOut(member, frame);
                break;
            case FrameType.DirectoryPublish:
                Publish(member, frame);
                break;
            case FrameType.WhoisQuery:
                Whois(member, frame);
                break;
            case FrameType.RelayRequest:
                OpenRelay(member, frame);
                break;
            case FrameType.MailboxPut:
                PutMail(member, frame);
                break;
            case FrameType.MailboxAck:
                Directory.DeleteMail(member.Link.RemoteId, frame.Read<MailboxAck>().ItemId);
                break;
            default:
                throw new ProtocolException($"a hub does not take {frame.Type} frames");
        }
        return ValueTask.CompletedTask;
    }

    private void Publish(Member member, Frame frame)
    {
        var entry = frame.Read<DirectoryEntry>();
        if (entry.DeviceId != member.Link.RemoteId || !entry.Verify())
        {
            throw new ProtocolException("directory entry is not signed by the device publishing it");
        }
        Directory.Publish(entry, _options.TimeProvider.GetUtcNow());
        if (member.Name != entry.Name)
        {
            member.Name = entry.Name;
            Broadcast(member.Link.RemoteId, new PresenceNotice(PresenceKind.Joined, member.Link.RemoteId, _options.TimeProvider.GetUtcNow(), entry.Name, member.Address));
        }
    }

    /// <summary>A member cannot reach another directly: give each side a one-time token for a spliced connection.</summary>
    private void OpenRelay(Member member, Frame frame)
    {
        var (peer, requestId) = frame.Read<RelayRequest>();
        string? refusal = null;
        if (peer == member.Link.RemoteId)
        {
            refusal = "cannot relay to yourself";
        }
        else if (!_members.TryGetValue(peer, out var target))
        {
            refusal = $"{peer.Short} is not online at this hub";
        }
        else if (Relay.Open() is not { } tokens)
        {
            refusal = "the hub's relay is full; try again later";
        }
        else
        {
            target.Link.TrySend(FrameType.RelayTicket, new RelayTicket(0, Invited: true, member.Link.RemoteId, tokens.Invited).ToArray());
            member.Link.TrySend(FrameType.RelayTicket, new RelayTicket(requestId, Invited: false, peer, tokens.Asker).ToArray());
            HubLog.Relaying(_logger, member.Link.RemoteId.Short, peer.Short);
            return;
        }
        member.Link.TrySend(FrameType.RelayRefused, new RelayRefused(requestId, refusal).ToArray());
    }

    /// <summary>Holds a sealed message for an offline member (within its quota), or hands it over now if it is online.</summary>
    private void PutMail(Member member, Frame frame)
    {
        var (putId, recipient, item) = frame.Read<MailboxPut>();
        var refusal = Directory.PutMail(recipient, member.Link.RemoteId, item, _options.MailboxMaxMessages, _options.MailboxMaxBytes, _options.TimeProvider.GetUtcNow());
        member.Link.TrySend(FrameType.MailboxResult, new MailboxResult(putId, refusal is null, refusal ?? "").ToArray());
        if (refusal is null && _members.TryGetValue(recipient, out var online))
        {
            DeliverMail(online);
        }
    }

    private void DeliverMail(Member member)
    {
        foreach (var (id, item) in Directory.MailFor(member.Link.RemoteId))
        {
            member.Link.TrySend(FrameType.MailboxItem, new MailboxItem(id, item).ToArray());
        }
    }

    private void RoomCommand(Member member, Frame frame)
    {
        var (id, op, room) = frame.Read<RoomCommand>();
        var me = member.Link.RemoteId;
        var rooms = Directory.Rooms;
        string? error = null;
        switch (op)
        {
            case RoomOp.Create:
                error = rooms.Create(room, me, member.Name, _options.TimeProvider.GetUtcNow());
                break;
            case RoomOp.Join:
                error = rooms.Join(room, me, member.Name);
                break;
            case RoomOp.Leave:
                error = rooms.Leave(room, me);
                break;
            case RoomOp.List:
                member.Link.TrySend(FrameType.RoomReply, new RoomListReply(id, null, rooms.Names()).ToArray());
                return;
        }
        var members = rooms.Members(room);
        if (error is null && members is null)
        {
            error = $"there is no #{room}";
        }
        if (error is null && op is RoomOp.Create or RoomOp.Join or RoomOp.Leave)
        {
            var notice = new RoomNotice(op != RoomOp.Leave, room, me, member.Name).ToArray();
            foreach (var other in members!.Keys.Where(k => k != me))
            {
                if (_members.TryGetValue(other, out var online))
                {
                    online.Link.TrySend(FrameType.RoomNotice, notice);
                }
            }
        }
        var list = members?.Select(m => new RoomMember(m.Key, m.Value, _members.ContainsKey(m.Key))).ToList();
        member.Link.TrySend(FrameType.RoomReply, new RoomMembersReply(id, error, error is null ? list! : []).ToArray());
    }

    /// <summary>Passes a sealed sender key from one member of a room to another; nothing else is let through.</summary>
    private void ForwardRoomKey(Member member, Frame frame)
    {
        var (room, from, to, _) = frame.Read<RoomKey>();
        if (from != member.Link.RemoteId)
        {
            throw new ProtocolException("room key sent in another's name");
        }
        if (Directory.Rooms.IsMember(room, from) && Directory.Rooms.IsMember(room, to) && _members.TryGetValue(to, out var target))
        {
            target.Link.TrySend(FrameType.RoomKey, frame.Payload.ToArray());
        }
    }

    /// <summary>Sends a member's sealed room message to every other online member, never back to the sender.</summary>
    private void FanOut(Member member, Frame frame)
    {
        var (room, sender, _) = frame.Read<RoomMessage>();
        if (sender != member.Link.RemoteId)
        {
            throw new ProtocolException("room message sent in another's name");
        }
        var members = Directory.Rooms.Members(room);
        if (members is null || !members.ContainsKey(sender))
        {
            return;
        }
        var payload = frame.Payload.ToArray();
        foreach (var other in members.Keys)
        {
            if (other != sender && _members.TryGetValue(other, out var online))
            {
                online.Link.TrySend(FrameType.RoomMessage, payload);
                Interlocked.Increment(ref _roomDeliveries);
            }
        }
    }

    private long _roomDeliveries;

    /// <summary>Room messages handed to members since start.</summary>
    public long RoomDeliveries => Interlocked.Read(ref _roomDeliveries);

    private void Whois(Member member, Frame frame)
    {
        var (queryId, text) = frame.Read<WhoisQuery>();
        var now = _options.TimeProvider.GetUtcNow();
        var results = Directory.Find(text, WhoisResult.MaxEntries)
            .Select(f => new WhoisEntry(_members.ContainsKey(f.Entry.DeviceId), _members.ContainsKey(f.Entry.DeviceId) ? now : f.LastSeen, f.Entry))
            .ToList();
        member.Link.TrySend(FrameType.WhoisResult, new WhoisResult(queryId, results).ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _listener.DisposeAsync().ConfigureAwait(false);
        await Task.WhenAll(_members.Values.Select(m => m.Link.CloseAsync(CloseCode.Shutdown, "hub shutting down"))).ConfigureAwait(false);
        Relay.Dispose();
        Directory.Dispose();
        _identity.Dispose();
    }
}

internal static partial class HubLog
{
    [LoggerMessage(600, LogLevel.Information, "member {Peer} ({Name}) joined from {Endpoint}")]
    public static partial void Joined(ILogger logger, string peer, string name, string endpoint);

    [LoggerMessage(601, LogLevel.Information, "member {Peer} ({Name}) left: {Reason}")]
    public static partial void Left(ILogger logger, string peer, string name, string reason);

    [LoggerMessage(603, LogLevel.Information, "relaying {From} to {To}")]
    public static partial void Relaying(ILogger logger, string from, string to);

    [LoggerMessage(602, LogLevel.Information, "connection from {Endpoint} failed: {Reason}")]
    public static partial void HandshakeFailed(ILogger logger, string endpoint, string reason);
}
