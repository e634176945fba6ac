using Parley.Core.Hub.Relay;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Contacts;
using Parley.Node.Links;
using Parley.Node.Storage;

namespace Parley.Node.Hub;

/// <summary>
/// Relay tickets and refusals from the hub: a ticket we asked for goes to <see cref="RelayDialer"/>;
/// a ticket inviting us (another member wants a relayed link to us) opens our side and hands the
/// link to the link manager like any incoming one, unless the asker is blocked or denied.
/// </summary>
internal sealed class RelayTickets(RelayDialer dialer, ContactBook contacts, LinkManager links) : IHubClientFeature
{
    public IReadOnlyList<FrameSpec> Frames { get; } = [FrameSpec.Of<RelayTicket>(FrameType.RelayTicket), FrameSpec.Of<RelayRefused>(FrameType.RelayRefused)];

    public ValueTask OnFrameAsync(IPeerLink hub, Frame frame)
    {
        if (frame.Type == FrameType.RelayRefused)
        {
            var refusal = frame.Read<RelayRefused>();
            dialer.Refused(refusal.RequestId, refusal.Reason);
            return ValueTask.CompletedTask;
        }
        var ticket = frame.Read<RelayTicket>();
        if (!ticket.Invited)
        {
            dialer.Take(ticket);
        }
        else if (contacts.Find(ticket.Peer)?.State is not (PeerState.Blocked or PeerState.Denied))
        {
            var endpoint = hub.RemoteEndPoint;
            _ = links.AcceptRelayedAsync(endpoint, () => RelaySockets.OpenAsync(endpoint, ticket.Token));
        }
        return ValueTask.CompletedTask;
    }

    public void OnHubLost() => dialer.FailAll();
}
