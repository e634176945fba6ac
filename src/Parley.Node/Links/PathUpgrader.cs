using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Node.Contacts;

namespace Parley.Node.Links;

/// <summary>
/// While a contact's link is relayed, looks for a direct path now and then: soon after the link
/// opens, at once when something new is known about where the peer is (an address heard on the LAN,
/// a new address from the hub), and otherwise at a back-off from 5 s to 5 min. Each try races the
/// direct addresses and, from the side that offers, a TCP simultaneous open (<see cref="LinkPunching"/>);
/// a link that forms replaces the relayed one in place. Never while a transfer or call holds the link.
/// Each peer's tries are timed by an <see cref="UpgradeSchedule"/>.
/// </summary>
internal sealed class PathUpgrader(LinkManager links, LinkPunching punching, ContactBook contacts, IRelayDialer relay, NodeOptions options,
    ILoggerFactory loggerFactory) : INodeService
{
    /// <summary>The first try, this long after the relayed link is seen: lets the session settle (consent, what waited).</summary>
    internal static readonly TimeSpan FirstTry = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MinRetry = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromMinutes(5);
    private readonly ILogger _logger = loggerFactory.CreateLogger("Parley.Links");
    private readonly ConcurrentDictionary<DeviceId, UpgradeSchedule> _states = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(LoopAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(Tick, options.TimeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                Visit(options.TimeProvider.GetUtcNow());
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Visit(DateTimeOffset now)
    {
        var relayed = links.Sessions.Where(s => s.Link.Relayed && s.IsOpen).ToList();
        foreach (var gone in _states.Keys.Except(relayed.Select(s => s.Id)))
        {
            _states.TryRemove(gone, out _);
        }
        foreach (var session in relayed)
        {
            var known = Known(session.Id);
            var state = _states.GetOrAdd(session.Id, _ => new UpgradeSchedule(known, now + FirstTry, MinRetry, MaxRetry));
            if (state.Known != known)
            {
                state.Known = known;
                state.Next = now; // something new about where the peer is: try it now
            }
            if (!state.IsDue(now))
            {
                continue;
            }
            if (links.HoldsLink(session.Id))
            {
                state.Next = now + MinRetry;
                continue;
            }
            _ = UpgradeAsync(session, state);
        }
    }

    /// <summary>What we know of where the peer may be reached directly; a change means a new try is worth it.</summary>
    private string Known(DeviceId peer) => $"{contacts.Find(peer)?.Address}|{relay.ObservedEndPoint(peer)}";

    private Task UpgradeAsync(PeerSession session, UpgradeSchedule state)
    {
        var punch = punching.WouldOffer(session.Link) && relay.ObservedEndPoint(session.Id) is not null
            ? new DialAttempt("simultaneous open", TimeSpan.Zero, (claim, token) => punching.PunchAsync(session, claim, token))
            : null;
        var tried = punch is null ? "direct addresses" : "direct addresses and simultaneous open";
        return state.RunAsync(async () =>
        {
            if (await links.RaceAsync(session.Id, contacts.Find(session.Id)?.Address, withRelay: false, punch).ConfigureAwait(false) is not { } link)
            {
                return false;
            }
            await links.RegisterAsync(link).ConfigureAwait(false);
            return true;
        }, options.TimeProvider, (wait, error) =>
            LinkManagerLog.UpgradeFailed(_logger, session.Id.Short, error is null ? tried : $"{tried}: {error.GetType().Name}: {error.Message}", wait.TotalSeconds));
    }

    public async Task StopAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stopping.Dispose();
    }
}
