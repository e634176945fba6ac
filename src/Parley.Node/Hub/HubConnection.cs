using Microsoft.Extensions.Logging;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Events;
using Parley.Node.Storage;

namespace Parley.Node.Hub;

/// <summary>
/// The node's link to its hub: dialed with the hub's device ID pinned, kept up with backoff, our
/// directory entry published on each link, and the link handed to the hub features
/// (<see cref="HubFrameRouter"/>) each time it comes up or goes. Joining a hub makes no one a
/// contact: strangers still reach us only as requests.
/// </summary>
internal sealed class HubConnection(HubChannel channel, HubDialer dialer, HubFrameRouter router, EntryPublisher publisher, NodeStore store,
    EventHub events, NodeOptions options, ILoggerFactory loggerFactory) : INodeService
{
    public const string HubSetting = "hub";
    private readonly ILogger _logger = loggerFactory.CreateLogger("Parley.HubClient");
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _joining = new(1, 1);
    private CancellationTokenSource? _session;
    private Task _loop = Task.CompletedTask;

    /// <summary>The hub this node uses, if any.</summary>
    public Invite? Hub => channel.Hub;

    public bool Connected => channel.Connected;

    /// <summary>Failed dials of the hub so far (see <see cref="HubDialer.Failures"/>).</summary>
    public int FailedDials => dialer.Failures;

    public string? LastDialFailure => dialer.LastFailure;

    /// <summary>Joins the hub of <c>--hub</c>, else the one stored from an earlier join, if any.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var text = options.HubInvite ?? await store.GetSettingAsync(HubSetting).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(text)) // empty: the user left the hub
        {
            await JoinAsync(text).ConfigureAwait(false);
        }
    }

    /// <summary>Switches to the hub of <paramref name="inviteText"/>, remembers it, and keeps a link to it from now on.</summary>
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
        await store.SetSettingAsync(HubSetting, invite.ToString()).ConfigureAwait(false);
        await _joining.WaitAsync().ConfigureAwait(false);
        try
        {
            await LeaveCurrentAsync("switching hubs").ConfigureAwait(false);
            channel.Use(invite);
            router.Changed(invite);
            _session = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            var token = _session.Token;
            _loop = Task.Run(() => KeepLinkedAsync(invite, token), CancellationToken.None);
        }
        finally
        {
            _joining.Release();
        }
        return invite;
    }

    /// <summary>Leaves the hub: the link is closed, no hub is dialed from now on (across restarts too), and what it said is forgotten.</summary>
    public async Task LeaveAsync()
    {
        await store.SetSettingAsync(HubSetting, "").ConfigureAwait(false);
        await _joining.WaitAsync().ConfigureAwait(false);
        try
        {
            await LeaveCurrentAsync("left the hub").ConfigureAwait(false);
            channel.Use(null);
            router.Changed(null);
        }
        finally
        {
            _joining.Release();
        }
    }

    /// <summary>Ends the current hub's loop; its link is closed with <paramref name="reason"/>, else as shutting down.</summary>
    private async Task LeaveCurrentAsync(string? reason)
    {
        if (_session is null)
        {
            return;
        }
        await _session.CancelAsync().ConfigureAwait(false);
        if (reason is not null && channel.Link is { } old)
        {
            await old.CloseAsync(CloseCode.Normal, reason).ConfigureAwait(false);
        }
        await _loop.ConfigureAwait(false);
        _session.Dispose();
        _session = null;
    }

    /// <summary>Dials the hub, stays linked until it drops, then retries with backoff and jitter.</summary>
    private async Task KeepLinkedAsync(Invite hub, CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            if (await dialer.TryConnectAsync(hub, cancellationToken).ConfigureAwait(false) is { } link)
            {
                failures = 0;
                if (await StayLinkedAsync(hub, link, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
            }
            failures++;
            try
            {
                await Task.Delay(Backoff.Delay(failures, options.ReconnectDelay, options.MaxReconnectDelay), options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Runs one link until it closes; true when we were cancelled (stopping or switching hubs).</summary>
    private async Task<bool> StayLinkedAsync(Invite hub, PeerLink link, CancellationToken cancellationToken)
    {
        channel.Attach(link);
        link.Start(router.RouteAsync);
        publisher.Publish(link);
        _ = AnnounceLinkedAsync(hub, link);
        events.Publish(HubEvents.Connected, new HubLinkEvent(hub.DeviceId.ToString()));
        HubLog.Connected(_logger, hub.DeviceId.Short, link.RemoteEndPoint.ToString());
        try
        {
            var closed = await link.Closed.WaitAsync(cancellationToken).ConfigureAwait(false);
            HubLog.Disconnected(_logger, hub.DeviceId.Short, closed.Reason);
            return false;
        }
        catch (OperationCanceledException)
        {
            await link.CloseAsync(CloseCode.Shutdown, "shutting down").ConfigureAwait(false);
            return true;
        }
        finally
        {
            channel.Detach(link);
            router.Lost();
            events.Publish(HubEvents.Disconnected, new HubLinkEvent(hub.DeviceId.ToString()));
        }
    }

    /// <summary>Not awaited by the loop: rejoining rooms asks the hub, whose answers arrive on this same link.</summary>
    private async Task AnnounceLinkedAsync(Invite hub, PeerLink link)
    {
        try
        {
            await router.LinkedAsync(link).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IOException or Microsoft.Data.Sqlite.SqliteException)
        {
            HubLog.LinkedWorkFailed(_logger, hub.DeviceId.Short, e.Message);
        }
    }

    public async Task StopAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _joining.WaitAsync().ConfigureAwait(false);
        try
        {
            await LeaveCurrentAsync(reason: null).ConfigureAwait(false);
        }
        finally
        {
            _joining.Release();
        }
    }
}
