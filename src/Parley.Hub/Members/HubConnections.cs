using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Parley.Core.Links;
using Parley.Core.Protocol;

namespace Parley.Hub;

/// <summary>
/// Members coming and going: each new link becomes a <see cref="Member"/> (replacing an older link
/// of the same device), its frames go through the router, and when it closes the features hear of
/// it. Shutting down waits for those departures, so nothing touches the database after it closes.
/// A cluster hub that has lost NATS refuses new links (<paramref name="refusal"/> says why) rather than diverge.
/// </summary>
internal sealed class HubConnections(MemberRegistry members, HubRouter router, HubOptions options, ILogger logger, Func<string?>? refusal = null)
{
    private readonly ConcurrentDictionary<Member, Task> _departures = new();

    /// <summary>Takes a link the listener accepted.</summary>
    public Task AcceptAsync(PeerLink link)
    {
        if (refusal?.Invoke() is { } reason)
        {
            HubLog.Refused(logger, link.RemoteId.Short, reason);
            return link.CloseAsync(CloseCode.Rejected, reason);
        }
        var member = new Member(link, link.AdvertisedEndPoint?.ToString() ?? "", new MemberLimits(options));
        if (members.Add(member) is { } replaced)
        {
            _ = replaced.Link.CloseAsync(CloseCode.Duplicate, "replaced by a newer connection");
        }
        router.MemberConnected(member);
        link.Start((_, frame) => members.IsCurrent(member) ? router.RouteAsync(member, frame) : ValueTask.CompletedTask);
        var departure = DepartAsync(member);
        _departures[member] = departure;
        _ = departure.ContinueWith(_ => _departures.TryRemove(new KeyValuePair<Member, Task>(member, departure)), TaskScheduler.Default); // after the add, even if it closed at once
        HubLog.Joined(logger, member.Id.Short, member.Name, link.RemoteEndPoint.ToString());
        return Task.CompletedTask;
    }

    private async Task DepartAsync(Member member)
    {
        var closed = await member.Link.Closed.ConfigureAwait(false);
        if (members.Remove(member))
        {
            router.MemberDisconnected(member);
            HubLog.Left(logger, member.Id.Short, member.Name, closed.Reason);
        }
    }

    /// <summary>Closes every member's link and waits until the features have heard each one leave.</summary>
    public async Task CloseAllAsync(string reason = "hub shutting down")
    {
        await Task.WhenAll(members.All.Select(m => m.Link.CloseAsync(CloseCode.Shutdown, reason))).ConfigureAwait(false);
        await Task.WhenAll(_departures.Values).ConfigureAwait(false);
    }
}
