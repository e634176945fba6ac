using System.Net;
using Parley.Core.Links;

namespace Parley.Hub;

/// <summary>How a hub runs.</summary>
public sealed record HubOptions
{
    public const int DefaultPort = 47900;

    /// <summary>The hub's home: identity and directory. Required.</summary>
    public required string Home { get; init; }

    /// <summary>TCP port nodes connect to. Defaults to 47900; 0 picks a free one.</summary>
    public int Port { get; init; } = DefaultPort;

    /// <summary>Address the listener binds. Defaults to all interfaces.</summary>
    public IPAddress BindAddress { get; init; } = IPAddress.Any;

    /// <summary>Requests (publish, whois) a member may make a second, on average. Defaults to 20.</summary>
    public double RequestsPerSecond { get; init; } = 20;

    /// <summary>Requests a member may make in a burst. Defaults to 40.</summary>
    public int RequestBurst { get; init; } = 40;

    /// <summary>
    /// Room messages and sender keys a member may send a second (twice that in a burst); past it its link
    /// is closed. The keys a member must hand out because another joined or left are not counted (up to
    /// <see cref="MemberLimits.MaxRekeyCredit"/> banked). Defaults to 500.
    /// </summary>
    public double RoomMessagesPerSecond { get; init; } = 500;

    /// <summary>
    /// Other members a member's own joins and leaves may have the hub tell, a second (ten times that in
    /// a burst): each told member rekeys (a new sender key for every other member), so this bounds the
    /// rekeying one member can cause others. Past it the join or leave is refused; the link stays.
    /// Defaults to 200.
    /// </summary>
    public double RoomNoticesPerSecond { get; init; } = 200;

    /// <summary>Relay sessions open at once; more requests are refused. Defaults to 256.</summary>
    public int MaxRelaySessions { get; init; } = 256;

    /// <summary>
    /// Relay sessions one member may hold at once, counted against the member who asked (waiting for
    /// both sides, up to 15 s, or relaying); its further requests are refused until one ends. Defaults to 16.
    /// </summary>
    public int MaxRelaySessionsPerMember { get; init; } = 16;

    /// <summary>
    /// How long a connection whose first byte began the relay preamble has to send the rest of it
    /// (preamble and token, 36 bytes, which a node sends in one write); then it is closed. Defaults to 5 s.
    /// </summary>
    public TimeSpan RelayPreambleTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Bytes a second one relay session may move (both ways together). Defaults to 1 GiB/s.</summary>
    public long RelayBytesPerSecondPerSession { get; init; } = 1L << 30;

    /// <summary>Bytes a second all relay sessions together may move. Defaults to 4 GiB/s.</summary>
    public long RelayBytesPerSecond { get; init; } = 4L << 30;

    /// <summary>UDP relay allocations (a hub port each, for a call's media) one member may hold at once; more are refused. Defaults to 4.</summary>
    public int UdpRelayAllocationsPerMember { get; init; } = 4;

    /// <summary>UDP relay allocations open at once on the hub; more are refused. Defaults to 512.</summary>
    public int UdpRelayAllocations { get; init; } = 512;

    /// <summary>Peer addresses one allocation may permit; further ones are ignored. Defaults to 16.</summary>
    public int UdpRelayPermissionsPerAllocation { get; init; } = 16;

    /// <summary>How long an allocation lives without a datagram from its member (each one refreshes it); then its port closes. Defaults to 30 s.</summary>
    public TimeSpan UdpRelayLifetime { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Datagrams a second one allocation may relay, both ways together (a call at 4 Mbit/s sends about 500 each way); past it they are dropped. Defaults to 2,000.</summary>
    public int UdpRelayPacketsPerSecondPerAllocation { get; init; } = 2000;

    /// <summary>Bytes a second one allocation may relay, both ways together; past it datagrams are dropped. Defaults to 1 MiB/s (8 Mbit/s).</summary>
    public int UdpRelayBytesPerSecondPerAllocation { get; init; } = 1 << 20;

    /// <summary>Datagrams a second all allocations together may relay; past it they are dropped. Defaults to 100,000.</summary>
    public int UdpRelayPacketsPerSecond { get; init; } = 100_000;

    /// <summary>Bytes a second all allocations together may relay; past it datagrams are dropped. Defaults to 64 MiB/s.</summary>
    public int UdpRelayBytesPerSecond { get; init; } = 64 << 20;

    /// <summary>
    /// Whether the hub offers its UDP relay for call media (<c>parley hub --no-udp-relay</c> turns it
    /// off: allocations are refused, and calls relay through the nodes' TURN servers or the link). Defaults to on.
    /// </summary>
    public bool UdpRelay { get; init; } = true;

    /// <summary>
    /// Whether the UDP relay may carry datagrams to and from private networks (RFC 1918, 100.64/10,
    /// fc00::/7): off, a stranger cannot use the hub to reach hosts on the hub's own networks. An
    /// operator whose members are on such a network turns it on (<c>--relay-private</c>). Defaults to off.
    /// </summary>
    public bool UdpRelayPrivate { get; init; }

    /// <summary>
    /// The hub's address as the internet sees it, when it sits behind 1:1 NAT (<c>--public-address</c>):
    /// what its invite lists and what the UDP relay reports for allocations. Defaults to none (its own addresses).
    /// </summary>
    public IPAddress? PublicAddress { get; init; }

    /// <summary>Lets loopback addresses be UDP relay peers: for in-process tests, whose every party is on 127.0.0.x.</summary>
    internal bool UdpRelayAllowsLoopback { get; init; }

    /// <summary>Messages the mailbox holds for one recipient, from all senders. Defaults to 1,000.</summary>
    public int MailboxMaxMessages { get; init; } = 1000;

    /// <summary>Bytes the mailbox holds for one recipient. Defaults to 16 MiB.</summary>
    public long MailboxMaxBytes { get; init; } = 16L << 20;

    /// <summary>
    /// Messages one sender may have waiting for one recipient: a share of the recipient's mailbox, so
    /// a few identities cannot fill it and shut out its contacts; more are refused (the sender's node
    /// keeps them queued). Defaults to 100.
    /// </summary>
    public int MailboxMaxMessagesPerPair { get; init; } = 100;

    /// <summary>Bytes one sender may have waiting for one recipient. Defaults to 1 MiB.</summary>
    public long MailboxMaxBytesPerPair { get; init; } = 1L << 20;

    /// <summary>Messages one sender may have waiting at the hub, for all recipients together. Defaults to 1,000.</summary>
    public int MailboxMaxMessagesPerSender { get; init; } = 1000;

    /// <summary>Bytes one sender may have waiting at the hub, for all recipients together. Defaults to 16 MiB.</summary>
    public long MailboxMaxBytesPerSender { get; init; } = 16L << 20;

    /// <summary>Messages the whole mailbox holds; past it every put is refused until some are collected. Defaults to 1,000,000.</summary>
    public long MailboxMaxTotalMessages { get; init; } = 1_000_000;

    /// <summary>Bytes of sealed items the whole mailbox holds (the hub's disk). Defaults to 1 GiB.</summary>
    public long MailboxMaxTotalBytes { get; init; } = 1L << 30;

    /// <summary>Largest attachment (ciphertext) the blob store takes. Defaults to 25 MiB.</summary>
    public long BlobMaxBytes { get; init; } = 25L << 20;

    /// <summary>Attachment bytes one member may have stored at a time (what it uploaded, each blob once per room or recipient). Defaults to 256 MiB.</summary>
    public long BlobMaxBytesPerMember { get; init; } = 256L << 20;

    /// <summary>Attachment bytes one room may hold at a time, from all its members. Defaults to 1 GiB.</summary>
    public long BlobMaxBytesPerRoom { get; init; } = 1L << 30;

    /// <summary>Attachment bytes the whole store holds (the hub's disk). Defaults to 16 GiB.</summary>
    public long BlobMaxTotalBytes { get; init; } = 16L << 30;

    /// <summary>How long an attachment is held: like room messages (<see cref="RoomLogMaxAge"/>). Defaults to 30 days.</summary>
    public TimeSpan BlobMaxAge { get; init; } = TimeSpan.FromDays(30);

    /// <summary>
    /// Whether rooms keep a log on disk, so members offline when a message is sent get it later (the
    /// default). Off, the hub only hands messages to members online at the moment (<c>--room-log off</c>,
    /// for comparison).
    /// </summary>
    public bool RoomLog { get; init; } = true;

    /// <summary>How long a room's log keeps an entry; older ones are dropped (members learn of the gap). Defaults to 30 days.</summary>
    public TimeSpan RoomLogMaxAge { get; init; } = TimeSpan.FromDays(30);

    /// <summary>Bytes of sealed messages one room's log keeps; past it the oldest are dropped. Defaults to 256 MiB.</summary>
    public long RoomLogMaxBytesPerRoom { get; init; } = 256L << 20;

    /// <summary>
    /// In a cluster, bytes of sealed room messages and keys the shared room log keeps in NATS for all rooms
    /// together (each room is held to <see cref="RoomLogMaxBytesPerRoom"/> only in each hub's own copy); past
    /// it NATS drops the oldest, as age does, and a hub catching up learns of the gap. Defaults to 4 GiB (reserved on
    /// each NATS server, like the mailbox's and the room state's 1 GiB).
    /// </summary>
    public long RoomLogMaxTotalBytes { get; init; } = 4L << 30;

    /// <summary>
    /// Bytes of sealed messages one member may have in one room's log; its further posts are refused
    /// with a clear error until retention drops its oldest. Defaults to 64 MiB.
    /// </summary>
    public long RoomLogMaxBytesPerMember { get; init; } = 64L << 20;

    /// <summary>
    /// Sender keys the hub holds for one member of one room from one sender until it acknowledges them;
    /// that sender's oldest go past it (counted per sender, so one member flooding keys never pushes out
    /// another's; a member missing an old key asks its sender). Defaults to 128.
    /// </summary>
    public int RoomHeldKeysPerSender { get; init; } = 128;

    /// <summary>Most participants sending video in one room call on this hub; the next is refused (it may join with audio only). Defaults to 16.</summary>
    public int RoomCallVideoParticipants { get; init; } = 16;

    /// <summary>Most participants in one room call on this hub, audio-only ones included; the next is refused. Defaults to 32.</summary>
    public int RoomCallParticipants { get; init; } = 32;

    /// <summary>Room calls running on this hub at once; the next room's call is refused. Defaults to 64.</summary>
    public int RoomCalls { get; init; } = 64;

    /// <summary>
    /// Packets a participant may send a room call a second (NACKs and binds included; packets the hub
    /// resends for its NACKs are charged to it too). Over it packets are dropped; at twice it for a second
    /// the participant is cut off. Defaults to 800.
    /// </summary>
    public int RoomCallPacketsPerSecond { get; init; } = 800;

    /// <summary>Bytes a participant may send a room call a second, as <see cref="RoomCallPacketsPerSecond"/>. Defaults to 1 MiB (8 Mbit/s).</summary>
    public int RoomCallBytesPerSecond { get; init; } = 1 << 20;

    /// <summary>
    /// Set, the hub is one of a cluster sharing presence, directory and mailbox in NATS JetStream (with
    /// the cluster's identity); unset (the default), a single hub with its state in SQLite under its home.
    /// </summary>
    public HubClusterOptions? Cluster { get; init; }

    public LinkOptions Link { get; init; } = new();

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Sees every relayed chunk: for tests that check the relay carries no plaintext. Defaults to none.</summary>
    internal Action<ReadOnlyMemory<byte>>? RelayTap { get; init; }
}
