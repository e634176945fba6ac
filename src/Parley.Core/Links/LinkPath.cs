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
    /// Through a port a router maps (UPnP-IGD, NAT-PMP or PCP): told by the side whose router forwards
    /// its peer port, for a direct link that came in from outside its networks. The dialling side, which
    /// only knows the address the hub gave it, shows such a link as direct.
    /// </summary>
    Mapped,

    /// <summary>Through a hub's TCP relay (TLS still end to end).</summary>
    Relayed,
}
