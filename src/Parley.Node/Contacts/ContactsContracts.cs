using Parley.Core.Links;
using Parley.Node.Storage;

namespace Parley.Node.Contacts;

/// <summary>A known device as the API shows it, with its link if it has one.</summary>
/// <param name="Link">"direct" or "relayed" (through the hub).</param>
/// <param name="Path">The link's path in more detail: "lan", "direct", "punched" (TCP simultaneous open), "mapped" or "relayed".</param>
/// <param name="CallPath">While a call with the peer is in progress, its media's path (the call's <c>transport</c>).</param>
/// <param name="Verified">The user checked this device's safety number with its owner ("Mark as verified").</param>
/// <param name="KeyChangeOf">
/// The device ID of a verified contact that goes by the same name as this unverified device: the
/// same person with a new key (a reinstall), or someone posing as them. Shown as a warning.
/// </param>
public sealed record PeerView(
    string DeviceId, string Name, string RemoteName, string? Alias, PeerState State, bool Online, bool? AcceptsUs,
    string? Link, LinkDirection? Direction, string? Address, DateTimeOffset? LastSeen, string? Path = null, string? CallPath = null,
    bool Verified = false, string? KeyChangeOf = null);

/// <summary>A device heard on the LAN.</summary>
public sealed record NearbyView(string DeviceId, string Name, string Address, DateTimeOffset LastSeen, PeerState? State);

/// <summary><c>GET /api/peers</c>: everyone the node knows of, by kind.</summary>
public sealed record PeersView(
    IReadOnlyList<NearbyView> Nearby, IReadOnlyList<PeerView> Contacts, IReadOnlyList<PeerView> Requests,
    IReadOnlyList<PeerView> Blocked, IReadOnlyList<Hub.HubMemberView> Hub);

public sealed record SafetyView(string DeviceId, string OurDeviceId, string SafetyNumber);

public sealed record AddRequest(string? Target, string? Address);

public sealed record RenameRequest(string? Name);
