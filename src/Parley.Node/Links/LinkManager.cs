using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Contacts;
using Parley.Node.Events;
using Parley.Node.Storage;

namespace Parley.Node.Links;

/// <summary>
/// Owns every peer link of the node: accepts incoming ones, dials contacts (with backoff), applies
/// consent (requests, deny, block), keeps one link per peer, and reports presence.
/// Split by concern: <c>LinkManager.Listen.cs</c>, <c>LinkManager.Dial.cs</c>, <c>LinkManager.Consent.cs</c>.
/// </summary>
public sealed partial class LinkManager : IPeerSessions, IAsyncDisposable
{
    private readonly NodeIdentity _identity;
    private readonly NodeOptions _options;
    private readonly ContactBook _contacts;
    private readonly EventHub _events;
    private readonly ILogger _logger;
    private readonly ILoggerFactory _loggerFactory;
    private readonly NodeProfile _profile;
    private readonly IRelayDialer _relay;
    private readonly ConcurrentDictionary<DeviceId, PeerSession> _sessions = new();
    private readonly Lock _registerLock = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task _background = Task.CompletedTask;
    private FrameRouter _router = new([]);
    private LinkEstablisher _establisher;

    /// <summary>Sets links up (TLS and hello) for this node: paths found elsewhere (a punched connection) use it too.</summary>
    internal LinkEstablisher Establisher => _establisher;

    /// <summary>Cancelled when the node stops: work on links started elsewhere ends with it.</summary>
    internal CancellationToken Stopping => _stopping.Token;

    internal DeviceId DeviceId => _identity.DeviceId;

    /// <summary>True while a feature runs something on the link to <paramref name="peer"/> that moving to another link would break (a transfer, a call).</summary>
    internal bool HoldsLink(DeviceId peer) => _router.HoldsLink(peer);

    /// <summary>Whether our router forwards our peer port to us now (port mapping sets it): a direct inbound link from outside came that way.</summary>
    internal Func<bool> PeerPortForwarded { get; set; } = () => false;

    public LinkManager(NodeIdentity identity, NodeOptions options, ContactBook contacts, EventHub events,
        ILoggerFactory loggerFactory, NodeProfile profile, IRelayDialer relay)
    {
        _relay = relay;
        _identity = identity;
        _options = options;
        _contacts = contacts;
        _events = events;
        _profile = profile;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger("Parley.Links");
        _establisher = new LinkEstablisher(identity, options.Link, loggerFactory);
    }

    public PeerSession? Session(DeviceId id) =>
        _sessions.TryGetValue(id, out var session) && !session.Link.IsClosed ? session : null;

    public IReadOnlyCollection<PeerSession> Sessions => [.. _sessions.Values];

    /// <summary>
    /// Listens and dials from now on, handing each frame to the feature <paramref name="router"/> says
    /// owns it. Links read with the router's frame table, so a type no feature owns closes the link.
    /// </summary>
    public void Start(FrameRouter router)
    {
        _router = router;
        _establisher = new LinkEstablisher(_identity, _options.Link with { Frames = router.Frames }, _loggerFactory);
        StartListening();
        _background = Task.Run(DialLoopAsync);
    }

    internal Hello HelloFor(DeviceId remote) => new(
        Hello.CurrentVersion, _identity.DeviceId, HelloCapabilities.Punch, (ushort)ListenPort,
        _contacts.IsContact(remote) ? HelloFlags.Contact : HelloFlags.None, _profile.Name);

    /// <summary>Applies consent and the one-link-per-peer rule to a new link, then starts it.</summary>
    internal async Task RegisterAsync(PeerLink link)
    {
        var id = link.RemoteId;
        var record = _contacts.Find(id);
        if (record?.State is PeerState.Blocked or PeerState.Denied || _stopping.IsCancellationRequested)
        {
            LinkManagerLog.Refused(_logger, id.Short, link.RemoteEndPoint.ToString(), record?.State.ToString() ?? "stopping");
            await link.CloseAsync(CloseCode.Rejected, "not accepted").ConfigureAwait(false);
            return;
        }
        if (link.Path == LinkPath.Direct && LinkCandidates.IsOnOurNetworks(link.RemoteEndPoint.Address))
        {
            link.Path = LinkPath.Lan;
        }
        else if (link.Path == LinkPath.Direct && link.Direction == LinkDirection.Inbound && PeerPortForwarded())
        {
            link.Path = LinkPath.Mapped; // our NAT lets in from outside only what answers a mapping, or the forward
        }
        var session = new PeerSession(link, record?.State == PeerState.Contact, link.RemoteHello.Flags.HasFlag(HelloFlags.Contact));
        SetLocalAccepts(session, session.LocalAccepts);
        PeerSession? replaced = null;
        lock (_registerLock)
        {
            if (_sessions.TryGetValue(id, out var existing) && !existing.Link.IsClosed)
            {
                if (!Prefer(link, existing.Link))
                {
                    _ = link.CloseAsync(CloseCode.Duplicate, "already linked");
                    return;
                }
                replaced = existing;
            }
            _sessions[id] = session;
        }
        if (replaced is not null)
        {
            _ = replaced.Link.CloseAsync(CloseCode.Duplicate, "replaced by a newer link");
        }
        ResetBackoff(id);
        var address = link.Relayed ? null : PeerAddress(link); // a relayed link's far end is the hub, not the peer
        var isRequest = record is null || record.State == PeerState.Request;
        PeerRecord Seen(PeerRecord r) => r with
        {
            RemoteName = link.RemoteHello.Name,
            Address = MergeAddress(address, r.Address),
            LastSeen = _options.TimeProvider.GetUtcNow(),
        };
        await (isRequest ? StoreRequestAsync(session, Seen) : _contacts.UpdateAsync(id, Seen)).ConfigureAwait(false);
        link.Start(OnFrameAsync);
        // The user may have accepted the peer while the handshake ran, after our hello said no.
        SetLocalAccepts(session, _contacts.IsContact(id));
        if (session.LocalAccepts && !link.LocalHello.Flags.HasFlag(HelloFlags.Contact))
        {
            link.TrySend(FrameType.Consent, new ConsentMessage(true).ToArray());
        }
        session.Finished = link.Closed.ContinueWith(t => OnClosedAsync(session, t.Result), TaskScheduler.Default).Unwrap();
        LinkManagerLog.Linked(_logger, id.Short, link.RemoteHello.Name, link.Direction.ToString().ToLowerInvariant(), link.RemoteEndPoint.ToString(),
            link.Path.ToString().ToLowerInvariant());
        if (isRequest)
        {
            LinkManagerLog.Request(_logger, id.Short, link.RemoteHello.Name, link.RemoteEndPoint.ToString());
            _events.Publish(PeerEvents.Request, new PeerRequestEvent(id.ToString(), link.RemoteHello.Name, address));
        }
        _events.Publish(PeerEvents.Online, new PeerOnlineEvent(id.ToString(), link.RemoteHello.Name, link.Direction, session.LocalAccepts));
        await OpenIfReadyAsync(session).ConfigureAwait(false);
    }

    /// <summary>
    /// Of two links to one peer, both sides keep the same one: a direct link over a relayed one (so a
    /// relayed link is upgraded in place, and a relay attempt that lost a race never displaces the
    /// winner); else the link dialed by the lower device ID; between two links dialed by the same side,
    /// the newer (the older is likely dead).
    /// </summary>
    private bool Prefer(PeerLink candidate, IPeerLink existing)
    {
        if (candidate.Relayed != existing.Relayed)
        {
            return !candidate.Relayed;
        }
        if (candidate.Direction == existing.Direction)
        {
            return true;
        }
        var candidateDialer = candidate.Direction == LinkDirection.Outbound ? _identity.DeviceId : candidate.RemoteId;
        var existingDialer = existing.Direction == LinkDirection.Outbound ? _identity.DeviceId : existing.RemoteId;
        return candidateDialer.CompareTo(existingDialer) < 0;
    }

    private static string? PeerAddress(PeerLink link) =>
        link.Direction == LinkDirection.Outbound ? link.RemoteEndPoint.ToString() : link.AdvertisedEndPoint?.ToString();

    /// <summary>Puts the newest working address first and keeps a few others to try.</summary>
    internal static string? MergeAddress(string? newest, string? known)
    {
        var all = new List<string>();
        if (!string.IsNullOrEmpty(newest))
        {
            all.Add(newest);
        }
        all.AddRange((known ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var merged = all.Distinct().Take(4).ToList();
        return merged.Count == 0 ? null : string.Join(',', merged);
    }

    private async ValueTask OnFrameAsync(PeerLink link, Frame frame)
    {
        if (!_sessions.TryGetValue(link.RemoteId, out var session) || session.Link != link)
        {
            return;
        }
        if (frame.Type == FrameType.Consent)
        {
            await OnConsentAsync(session, frame).ConfigureAwait(false);
            return;
        }
        if (!session.LocalAccepts)
        {
            throw new ProtocolException($"{frame.Type} from a device that is not an accepted contact");
        }
        await _router.RouteAsync(session, frame).ConfigureAwait(false);
    }

    private async Task OnClosedAsync(PeerSession session, LinkClosed closed)
    {
        var id = session.Id;
        if (!_sessions.TryRemove(new KeyValuePair<DeviceId, PeerSession>(id, session)))
        {
            return; // a duplicate that lost, or already replaced: the peer is still online
        }
        var name = session.Link.RemoteHello.Name;
        var reason = closed.ByRemote ? closed.Reason : "we closed: " + closed.Reason;
        LinkManagerLog.Left(_logger, id.Short, name, reason);
        if (closed.ByRemote && closed.Code is CloseCode.Rejected or CloseCode.Blocked)
        {
            BackOffFully(id);
        }
        // Never recreates a record: a request dropped meanwhile stays dropped.
        await _contacts.UpdateIfKnownAsync(id, r => r with { LastSeen = _options.TimeProvider.GetUtcNow() }).ConfigureAwait(false);
        _events.Publish(PeerEvents.Offline, new PeerOfflineEvent(id.ToString(), name, closed.Code, closed.Reason, closed.ByRemote));
        _router.SessionClosed(id, reason);
    }

    /// <summary>Closes every link telling peers we are shutting down, and stops listening and dialing.</summary>
    public async Task StopAsync(string reason = "shutting down")
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_listener is not null)
        {
            await _listener.DisposeAsync().ConfigureAwait(false);
        }
        var sessions = _sessions.Values.ToList();
        await Task.WhenAll(sessions.Select(s => s.Link.CloseAsync(CloseCode.Shutdown, reason))).ConfigureAwait(false);
        // Let each close be recorded (last seen) before the caller closes the store.
        try
        {
            await Task.WhenAll(sessions.Select(s => s.Finished)).WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Shutdown must finish within its budget; a late last-seen update is the only loss.
        }
        try
        {
            await _background.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }
}
