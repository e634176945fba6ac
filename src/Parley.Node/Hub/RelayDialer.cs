using System.Net;
using System.Net.Sockets;
using Parley.Core.Hub.Relay;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Node.Links;

namespace Parley.Node.Hub;

/// <summary>
/// Reaches a contact through the hub's relay when no direct address works: asks the hub for a ticket
/// to a member it says is online, then opens our side of the splice. The tickets arrive through
/// <see cref="RelayTickets"/>.
/// </summary>
internal sealed class RelayDialer(IHubChannel channel, HubPresence presence, TimeProvider time) : IRelayDialer
{
    private readonly HubExchange<RelayTicket> _tickets = new(channel, time, "the relay request");

    public bool CanRelayTo(DeviceId peer) => channel.Connected && presence.IsOnline(peer);

    public IPEndPoint? ObservedEndPoint(DeviceId peer) =>
        channel.Connected && presence.Find(peer) is { Online: true } member && IPEndPoint.TryParse(member.Address, out var endpoint) && endpoint.Port != 0
            ? endpoint : null;

    public async Task<(Socket Socket, IPEndPoint Hub)> OpenRelayAsync(DeviceId peer, CancellationToken cancellationToken)
    {
        var hub = channel.RequireLink().RemoteEndPoint;
        var ticket = await _tickets.AskAsync(FrameType.RelayRequest, id => new RelayRequest(peer, id), cancellationToken).ConfigureAwait(false);
        return (await RelaySockets.OpenAsync(hub, ticket.Token).ConfigureAwait(false), hub);
    }

    /// <summary>The ticket for one of our requests.</summary>
    public void Take(RelayTicket ticket) => _tickets.TryAnswer(ticket.RequestId, ticket);

    public void Refused(uint requestId, string reason) => _tickets.Refuse(requestId, new InvalidOperationException("the hub refused to relay: " + reason));

    public void FailAll() => _tickets.FailAll();
}
