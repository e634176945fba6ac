using Parley.Node.Contacts;
using Parley.Node.Events;
using Parley.Node.Storage;

namespace Parley.Node.Hub;

/// <summary>Event types of the hub client.</summary>
[EventNames]
public static class HubEvents
{
    /// <summary>Linked with the hub (<see cref="HubLinkEvent"/>).</summary>
    public const string Connected = "hub.connected";

    /// <summary>The hub link closed; it is redialed (<see cref="HubLinkEvent"/>).</summary>
    public const string Disconnected = "hub.disconnected";

    /// <summary>A member came or went (<see cref="HubPresenceEvent"/>).</summary>
    public const string Presence = "hub.presence";
}

/// <summary><c>POST /api/hub</c>: the invite of the hub to use.</summary>
public sealed record HubJoinRequest(string? Invite);

/// <summary><c>GET|POST /api/hub</c>: the hub in use (null when none), whether it is linked, and its members.</summary>
/// <param name="Name">What to call the hub: the name its invite gives (other than the default "hub"), else its first address.</param>
public sealed record HubReply(string? Hub, string? Invite, bool Connected, IReadOnlyList<HubMemberView> Members, string? Name = null);

/// <summary>A hub member as the API shows it (also in <c>GET /api/peers</c>, as <c>hub</c>): <c>state</c> is ours for it, if any.</summary>
public sealed record HubMemberView(string DeviceId, string Name, bool Online, DateTimeOffset LastSeen, string Address, PeerState? State)
{
    internal static IReadOnlyList<HubMemberView> List(HubPresence presence, ContactBook contacts) =>
        [.. presence.Members.Select(m => new HubMemberView(m.DeviceId.ToString(), m.Name, m.Online, m.LastSeen, m.Address, contacts.Find(m.DeviceId)?.State))];
}

/// <summary><c>GET /api/whois</c>: one directory entry, its signature checked here; <c>contact</c> is our state for the device, if any.</summary>
public sealed record WhoisView(string DeviceId, string Name, bool SignatureValid, bool Online, DateTimeOffset LastSeen, DateTimeOffset IssuedAt,
    string AgreementKey, PeerState? Contact);

/// <summary>The data of <c>hub.connected</c> and <c>hub.disconnected</c>: the hub's device ID.</summary>
public sealed record HubLinkEvent(string Hub);

/// <summary>The data of <c>hub.presence</c>.</summary>
public sealed record HubPresenceEvent(string DeviceId, string Name, bool Online, DateTimeOffset LastSeen);
