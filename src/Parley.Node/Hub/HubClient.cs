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
using Parley.Node.Events;
using Parley.Node.Storage;

namespace Parley.Node.Hub;

/// <summary>The node has no hub, the hub is not linked, or it did not answer; the API answers 503.</summary>
public sealed class HubUnavailableException(string message) : InvalidOperationException(message);

/// <summary>A device the hub says is (or was) a member, and whether it is online now.</summary>
public sealed record HubMember(DeviceId DeviceId, string Name, bool Online, DateTimeOffset LastSeen, string Address);

/// <summary>A directory lookup's answer, with the signature checked here (never trusting the hub).</summary>
public sealed record WhoisAnswer(DeviceId DeviceId, string Name, bool SignatureValid, bool Online, DateTimeOffset LastSeen, DateTimeOffset IssuedAt,
    byte[] AgreementKey, byte[] IdentityKey);

/// <summary>
/// The node's link to its hub: dialed with the hub's device ID pinned, kept up with backoff,
/// publishing this node's signed directory entry on each connect, tracking presence and answering
/// lookups. Joining a hub makes no one a contact: strangers still reach us only as requests.
/// </summary>
public sealed partial class HubClient : IAsyncDisposable
{
    public const string HubSetting = "hub";
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(5);
    private readonly NodeIdentity _identity;
    private readonly AgreementKey _agreement;
    private readonly NodeOptions _options;
    private readonly NodeStore _store;
    private readonly EventHub _events;
    private readonly Func<string> _name;
    private readonly Func<int> _listenPort;
    private readonly LinkEstablisher _establisher;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<DeviceId, HubMember> _members = new();
    /// <summary>Requests waiting for the hub's answer (whois, relay, mailbox, rooms), by request ID.</summary>
    private readonly ConcurrentDictionary<uint, TaskCompletionSource<object?>> _pending = new();

    /// <summary>Verified directory entries already looked up, until the device's presence changes.</summary>
    private readonly ConcurrentDictionary<DeviceId, WhoisAnswer> _verified = new();
    private readonly CancellationTokenSource _stopping = new();
    private CancellationTokenSource? _session;
    private Task _loop = Task.CompletedTask;
    private volatile PeerLink? _link;
    private int _nextQuery;

    public HubClient(NodeIdentity identity, AgreementKey agreement, NodeOptions options, NodeStore store, EventHub events,
        ILoggerFactory loggerFactory, Func<string> name, Func<int> listenPort)
    {
        _listenPort = listenPort;
        _identity = identity;
        _agreement = agreement;
        _options = options;
        _store = store;
        _events = events;
        _name = name;
        _logger = loggerFactory.CreateLogger("Parley.HubClient");
        _establisher = new LinkEstablisher(identity, options.Link, loggerFactory);
    }

    /// <summary>The hub this node uses, if any.</summary>
    public Invite? Hub { get; private set; }

    public bool Connected => _link is { IsClosed: false };

    public IReadOnlyList<HubMember> Members => [.. _members.Values.OrderBy(m => m.Name, StringComparer.OrdinalIgnoreCase)];

    /// <summary>Uses <paramref name="invite"/> (from --hub), else the hub stored from an earlier join, if any.</summary>
    public async Task StartAsync(string? invite)
    {
        var text = invite ?? await _store.GetSettingAsync(HubSetting).ConfigureAwait(false);
        if (text is not null)
        {
            await JoinAsync(text).ConfigureAwait(false);
        }
    }

    /// <summary>Switches to the hub of <paramref name="inviteText"/> and keeps a link to it from now on.</summary>
    public async Task<Invite> JoinAsync(string inviteText)
    {
        if (!Invite.TryParse(inviteText.Trim(), out var invite, out var error))
        {
            throw new ArgumentException("bad hub invite: " + error);
        }
        if (invite!.Addresses.Count == 0)
        {
            throw new ArgumentException("the hub invite has no address");
        }
        await _store.SetSettingAsync(HubSetting, invite.ToString()).ConfigureAwait(false);
        if (_session is not null)
        {
            await _session.CancelAsync().ConfigureAwait(false);
            if (_link is { } old)
            {
                await old.CloseAsync(CloseCode.Normal, "switching hubs").ConfigureAwait(false);
            }
            await _loop.ConfigureAwait(false);
        }
        Hub = invite;
        _members.Clear();
        _session = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        var token = _session.Token;
        _loop = Task.Run(() => KeepLinkedAsync(invite, token));
        return invite;
    }

    /// <summary>Dials the hub (pinned), stays linked until it drops, then retries with backoff and jitter.</summary>
    private async Task KeepLinkedAsync(Invite hub, CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var link = await TryConnectAsync(hub, cancellationToken).ConfigureAwait(false);
            if (link is not null)
            {
                failures = 0;
                _link = link;
                link.Start(OnFrameAsync);
                Publish(link);
                if (Linked is { } linked)
                {
                    _ = linked();
                }
                _events.Publish("hub.connected", new { hub = hub.DeviceId.ToString() });
                HubClientLog.Connected(_logger, hub.DeviceId.Short, link.RemoteEndPoint.ToString());
                try
                {
                    var closed = await link.Closed.WaitAsync(cancellationToken).ConfigureAwait(false);
                    HubClientLog.Disconnected(_logger, hub.DeviceId.Short, closed.Reason);
                }
                catch (OperationCanceledException)
                {
                    await link.CloseAsync(CloseCode.Shutdown, "shutting down").ConfigureAwait(false);
                    return;
                }
                finally
                {
                    _link = null;
                    MarkAllOffline();
                    _events.Publish("hub.disconnected", new { hub = hub.DeviceId.ToString() });
                }
            }
            failures++;
            try
            {
                await Task.Delay(Backoff.Delay(failures, _options.ReconnectDelay, _options.MaxReconnectDelay), _options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<PeerLink?> TryConnectAsync(Invite hub, CancellationToken cancellationToken)
    {
        foreach (var address in hub.Addresses)
        {
            try
            {
                var link = await _establisher.ConnectAsync(address, hub.DeviceId,
                    _ => new Hello(Hello.CurrentVersion, _identity.DeviceId, 0, (ushort)_listenPort(), HelloFlags.None, _name()), cancellationToken).ConfigureAwait(false);
                if ((link.RemoteHello.Capabilities & HelloCapabilities.Hub) == 0)
                {
                    await link.CloseAsync(CloseCode.Rejected, "expected a hub").ConfigureAwait(false);
                    continue;
                }
                return link;
            }
            catch (LinkFailedException e)
            {
                HubClientLog.DialFailed(_logger, hub.DeviceId.Short, address.ToString(), e.Message);
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }
        return null;
    }

    /// <summary>Publishes (again) this node's signed name and agreement key, as after a rename.</summary>
    public void Republish()
    {
        if (_link is { } link)
        {
            Publish(link);
        }
    }

    private void Publish(PeerLink link) => link.TrySend(FrameType.DirectoryPublish,
        DirectoryEntry.Create(_identity, _name(), _agreement.PublicKey, _options.TimeProvider.GetUtcNow()).ToArray());

    /// <summary>Looks a name or device ID up in the hub's directory; every answer's signature is checked here.</summary>
    public async Task<IReadOnlyList<WhoisAnswer>> WhoisAsync(string text)
    {
        var entries = await AskAsync<IReadOnlyList<WhoisEntry>>(id => (FrameType.WhoisQuery, new WhoisQuery(id, text).ToArray()), "the lookup").ConfigureAwait(false);
        return [.. entries.Select(e => new WhoisAnswer(e.Entry.DeviceId, e.Entry.Name, e.Entry.Verify(), e.Online, e.LastSeen, e.Entry.IssuedAt,
            e.Entry.AgreementPublicKey, e.Entry.IdentityKey))];
    }

    /// <summary>
    /// A device's directory entry whose signature checks out (its agreement key to seal to, its
    /// identity key to verify it), or null; cached until the device's presence changes.
    /// </summary>
    public async Task<WhoisAnswer?> VerifiedEntryAsync(DeviceId device)
    {
        if (_verified.TryGetValue(device, out var known))
        {
            return known;
        }
        var answer = (await WhoisAsync(device.Compact).ConfigureAwait(false)).FirstOrDefault(a => a.DeviceId == device && a.SignatureValid);
        if (answer is not null)
        {
            _verified[device] = answer;
        }
        return answer;
    }

    /// <summary>A cached verified entry, without asking the hub (for display).</summary>
    public WhoisAnswer? CachedEntry(DeviceId device) => _verified.GetValueOrDefault(device);

    private PeerLink RequireLink() =>
        _link ?? throw new HubUnavailableException(Hub is null ? "this node has no hub (join one with hub-join)" : "the hub is not reachable right now");

    /// <summary>Sends a request carrying a fresh request ID and waits for the frame that answers it.</summary>
    private async Task<T> AskAsync<T>(Func<uint, (FrameType Type, byte[] Payload)> request, string what, CancellationToken cancellationToken = default)
    {
        var link = RequireLink();
        var id = (uint)Interlocked.Increment(ref _nextQuery);
        var answer = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        try
        {
            var (type, payload) = request(id);
            link.TrySend(type, payload);
            return (T)(await answer.Task.WaitAsync(RequestTimeout, cancellationToken).ConfigureAwait(false))!;
        }
        catch (TimeoutException)
        {
            throw new HubUnavailableException($"the hub did not answer {what} in time");
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    private void Answer(uint id, object? value)
    {
        if (_pending.TryGetValue(id, out var waiting))
        {
            waiting.TrySetResult(value);
        }
    }

    private ValueTask OnFrameAsync(PeerLink link, Frame frame)
    {
        switch (frame.Type)
        {
            case FrameType.Presence:
                var notice = frame.Read<PresenceNotice>();
                if (notice.DeviceId != _identity.DeviceId)
                {
                    var online = notice.Kind != PresenceKind.Left;
                    _members[notice.DeviceId] = new HubMember(notice.DeviceId, notice.Name, online, notice.LastSeen, notice.Address);
                    _verified.TryRemove(notice.DeviceId, out _); // it may have published a new entry
                    MemberSeen?.Invoke(_members[notice.DeviceId]);
                    _events.Publish("hub.presence", new { deviceId = notice.DeviceId.ToString(), name = notice.Name, online, lastSeen = notice.LastSeen });
                }
                break;
            case FrameType.WhoisResult:
                var result = frame.Read<WhoisResult>();
                Answer(result.QueryId, result.Entries);
                break;
            case FrameType.RelayTicket:
                var ticket = frame.Read<RelayTicket>();
                if (!ticket.Invited)
                {
                    Answer(ticket.RequestId, ticket);
                }
                else if (ticket.Invited && RelayInvited is { } invited)
                {
                    _ = invited(ticket.Peer, () => OpenRelaySocketAsync(link, ticket.Token));
                }
                break;
            case FrameType.MailboxResult:
                var mailResult = frame.Read<MailboxResult>();
                Answer(mailResult.PutId, mailResult.Stored ? null : mailResult.Reason);
                break;
            case FrameType.MailboxItem:
                var mail = frame.Read<MailboxItem>();
                if (MailReceived is { } received)
                {
                    _ = HandleMailAsync(link, mail.ItemId, mail.Item, received);
                }
                break;
            case FrameType.RoomReply:
                if (RoomReply.TryReadCommandId(frame.Payload, out var commandId))
                {
                    Answer(commandId, frame.Payload.ToArray());
                }
                break;
            case FrameType.RoomNotice or FrameType.RoomKey or FrameType.RoomMessage:
                if (RoomFrame is { } roomFrame)
                {
                    var copy = frame.Payload.ToArray();
                    _ = roomFrame(frame.Type, copy);
                }
                break;
            case FrameType.RelayRefused:
                var refusal = frame.Read<RelayRefused>();
                if (_pending.TryGetValue(refusal.RequestId, out var refused))
                {
                    refused.TrySetException(new InvalidOperationException("the hub refused to relay: " + refusal.Reason));
                }
                break;
            default:
                throw new ProtocolException($"a hub does not send {frame.Type} frames");
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>Room notices, keys and messages from the hub (payload copied), for the room service.</summary>
    public Func<FrameType, byte[], Task>? RoomFrame { get; set; }

    /// <summary>Called after each (re)connection to the hub, so rooms can be re-joined and rekeyed.</summary>
    public Func<Task>? Linked { get; set; }

    /// <summary>Sends a room command and waits for the hub's reply.</summary>
    public async Task<(string? Error, IReadOnlyList<string> Rooms, IReadOnlyList<RoomMember> Members)> RoomCommandAsync(RoomOp op, string room)
    {
        var reply = await AskAsync<byte[]>(id => (FrameType.RoomCommand, new RoomCommand(id, op, room).ToArray()), "the room command").ConfigureAwait(false);
        if (op == RoomOp.List)
        {
            return WireMessage.TryRead<RoomListReply>(reply, out var list, out _)
                ? (list.Error, list.Rooms, [])
                : throw new InvalidOperationException("the hub sent a malformed room reply");
        }
        return WireMessage.TryRead<RoomMembersReply>(reply, out var members, out _)
            ? (members.Error, [], members.Members)
            : throw new InvalidOperationException("the hub sent a malformed room reply");
    }

    /// <summary>Sends a frame to the hub if linked; false otherwise.</summary>
    public bool Send(FrameType type, byte[] payload) => _link?.TrySend(type, payload) ?? false;

    /// <summary>Called with each presence change, so the node can learn a contact's address from the hub.</summary>
    public Action<HubMember>? MemberSeen { get; set; }

    /// <summary>
    /// Called when another member wants a relayed link to us; the function opens our side of the
    /// splice (we dial the hub ourselves, so nothing is pushed to us unasked).
    /// </summary>
    public Func<DeviceId, Func<Task<System.Net.Sockets.Socket>>, Task>? RelayInvited { get; set; }

    /// <summary>True when the hub says <paramref name="peer"/> is online there, so a relay could reach it.</summary>
    public bool CanRelayTo(DeviceId peer) => Connected && _members.TryGetValue(peer, out var member) && member.Online;

    /// <summary>Asks the hub for a relay to <paramref name="peer"/> and opens our side: a connection to the hub, spliced to the peer's.</summary>
    public async Task<(System.Net.Sockets.Socket Socket, System.Net.IPEndPoint Hub)> OpenRelayAsync(DeviceId peer, CancellationToken cancellationToken)
    {
        var link = RequireLink();
        var ticket = await AskAsync<RelayTicket>(id => (FrameType.RelayRequest, new RelayRequest(peer, id).ToArray()), "the relay request", cancellationToken).ConfigureAwait(false);
        return (await OpenRelaySocketAsync(link, ticket.Token).ConfigureAwait(false), link.RemoteEndPoint);
    }

    private static async Task<System.Net.Sockets.Socket> OpenRelaySocketAsync(PeerLink hubLink, byte[] token)
    {
        var endpoint = hubLink.RemoteEndPoint;
        var socket = new System.Net.Sockets.Socket(endpoint.AddressFamily, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await socket.ConnectAsync(endpoint, timeout.Token).ConfigureAwait(false);
            await socket.SendAsync((byte[])[.. RelayTicket.Preamble, .. token], System.Net.Sockets.SocketFlags.None, timeout.Token).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Handles a sealed message the hub held for us; true means it is dealt with and the hub may delete it.</summary>
    public Func<byte[], Task<bool>>? MailReceived { get; set; }

    private static async Task HandleMailAsync(PeerLink link, long itemId, byte[] item, Func<byte[], Task<bool>> received)
    {
        if (await received(item).ConfigureAwait(false))
        {
            link.TrySend(FrameType.MailboxAck, new MailboxAck(itemId).ToArray());
        }
    }

    /// <summary>Leaves a sealed message at the hub for <paramref name="recipient"/>; returns null when stored, else the hub's reason.</summary>
    public async Task<string?> PutMailAsync(DeviceId recipient, byte[] item)
    {
        try
        {
            return await AskAsync<string?>(id => (FrameType.MailboxPut, new MailboxPut(id, recipient, item).ToArray()), "the mailbox").ConfigureAwait(false);
        }
        catch (HubUnavailableException e)
        {
            return e.Message;
        }
    }

    private void MarkAllOffline()
    {
        foreach (var member in _members.Values.Where(m => m.Online))
        {
            _members[member.DeviceId] = member with { Online = false };
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _session?.Dispose();
        _stopping.Dispose();
    }
}

internal static partial class HubClientLog
{
    [LoggerMessage(700, LogLevel.Information, "linked with hub {Hub} at {Endpoint}")]
    public static partial void Connected(ILogger logger, string hub, string endpoint);

    [LoggerMessage(701, LogLevel.Information, "hub {Hub} link closed: {Reason}")]
    public static partial void Disconnected(ILogger logger, string hub, string reason);

    [LoggerMessage(702, LogLevel.Debug, "dial hub {Hub} at {Address} failed: {Reason}")]
    public static partial void DialFailed(ILogger logger, string hub, string address, string reason);
}
