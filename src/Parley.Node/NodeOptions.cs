using System.Net;
using Parley.Core.Links;

namespace Parley.Node;

/// <summary>How a node runs. Every port may be 0 ("pick a free one"), which is what tests use.</summary>
public sealed class NodeOptions
{
    public const int DefaultPeerPort = 47800;
    public const int DefaultDiscoveryPort = 47801;
    public const int DefaultApiPort = 47880;

    /// <summary>The home folder: identity, database, API key. See <see cref="HomeFolder.Resolve"/>.</summary>
    public required string Home { get; init; }

    /// <summary>Display name; when null the stored one is kept (first start: the user name).</summary>
    public string? Name { get; init; }

    /// <summary>TCP port for peer links. Defaults to 47800.</summary>
    public int PeerPort { get; init; } = DefaultPeerPort;

    /// <summary>Address the peer listener binds. Defaults to all interfaces.</summary>
    public IPAddress PeerBindAddress { get; init; } = IPAddress.Any;

    /// <summary>Loopback port of the HTTP API and web UI. Defaults to 47880.</summary>
    public int ApiPort { get; init; } = DefaultApiPort;

    /// <summary>LAN discovery on or off. Defaults to on.</summary>
    public bool Discovery { get; init; } = true;

    /// <summary>UDP port of LAN discovery announcements. Defaults to 47801.</summary>
    public int DiscoveryPort { get; init; } = DefaultDiscoveryPort;

    /// <summary>How often this node announces itself on the LAN. Defaults to 5 s.</summary>
    public TimeSpan AnnounceInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>First reconnect delay after a failed dial; doubles per failure. Defaults to 1 s.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest reconnect delay. Defaults to 60 s.</summary>
    public TimeSpan MaxReconnectDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>A hub invite to use (and remember); when null the remembered hub, if any, is used.</summary>
    public string? HubInvite { get; init; }

    /// <summary>Whether call media may use UDP; when false (or when UDP does not get through) it rides the TLS link.</summary>
    public bool MediaOverUdp { get; init; } = true;

    /// <summary>Whether to ask the local router to forward the peer port (and a call's media port) by PCP, NAT-PMP or UPnP. Defaults to on.</summary>
    public bool PortMapping { get; init; } = true;

    /// <summary>Which of PCP, NAT-PMP and UPnP port mapping may try (<c>--port-mapping pcp,nat-pmp,upnp</c>). Defaults to all.</summary>
    public Core.Traversal.PortMapping.MappingMethods PortMappingMethods { get; init; } = Core.Traversal.PortMapping.MappingMethods.All;

    /// <summary>TURN servers (<c>--turn</c>) whose relays calls may use when no direct path works. Defaults to none.</summary>
    public IReadOnlyList<Parley.Core.Traversal.TurnServer> TurnServers { get; init; } = [];

    /// <summary>Timings of the TURN client (retransmissions, lifetimes, refreshes). Defaults to RFC 8489 and 8656's.</summary>
    public Parley.Core.Traversal.TurnOptions Turn { get; init; } = new();

    /// <summary>A folder of videos to share with contacts (<c>--videos</c>); null keeps the one shared last time, if any.</summary>
    public string? VideosFolder { get; init; }

    /// <summary>
    /// Requests (devices that linked to us and wait for a decision) kept; a new one past it drops
    /// the one heard from longest ago, closing its link. Defaults to 100.
    /// </summary>
    public int MaxRequests { get; init; } = 100;

    /// <summary>
    /// Links from requests kept open at once (they carry nothing until accepted); a new one past it
    /// closes the oldest, whose request stays listed. Defaults to 16.
    /// </summary>
    public int MaxRequestLinks { get; init; } = 16;

    public LinkOptions Link { get; init; } = new();

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
