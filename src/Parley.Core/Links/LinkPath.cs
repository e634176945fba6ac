namespace Parley.Core.Links;

/// <summary>How a link's TCP connection reaches the peer: what <c>parley peers</c> shows as its path.</summary>
public enum LinkPath
{
    /// <summary>Straight to an address of the peer that is not on one of our own networks (a public address, a router's forwarded port).</summary>
    Direct,

    /// <summary>Straight to an address on one of our own networks (or this machine).</summary>
    Lan,

    /// <summary>Through both NATs by TCP simultaneous open, coordinated over a relayed link.</summary>
    Punched,

    /// <summary>
    /// To a port the peer's router maps to it (UPnP-IGD, NAT-PMP or PCP). Reserved for port mapping:
    /// no dial candidate is marked as mapped yet, so such a link shows as direct until one is.
    /// </summary>
    Mapped,

    /// <summary>Through a hub's TCP relay (TLS still end to end).</summary>
    Relayed,
}
