namespace Parley.Core.Links;

/// <summary>Timeouts and buffer limits of a peer link, and the admission rules of handshakes.</summary>
public sealed record LinkOptions
{
    /// <summary>A ping goes out when nothing was sent for this long. Defaults to 5 s (a 17-byte frame each way when idle).</summary>
    public TimeSpan KeepaliveInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The link is dead when nothing arrived for this long, so a peer whose network dropped is noticed
    /// (and its messages go to the hub's mailbox) within seconds, not minutes. Defaults to 12 s: with
    /// the last frame heard up to a keepalive before the network went, and the check's 1 s tick, a dead
    /// link is noticed within 13 s of it dying (measured: NatLinkTests, uplink cut), by the hub as by
    /// the peer, so the messages it took are mailed within 15 s.
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(12);

    /// <summary>TCP connect, TLS and hello together must finish within this. Defaults to 10 s.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a graceful close may take to flush before the socket is cut. Defaults to 1 s.</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Frames of every kind (control, chat, pongs, bulk) waiting to be sent on one link. A control
    /// frame (or a pong) that would go past it closes the link as stuck: its peer stopped reading.
    /// Defaults to 65,536.
    /// </summary>
    public int MaxQueuedFrames { get; init; } = 65_536;

    /// <summary>
    /// Bytes waiting to be sent on one link, each frame counted as its header and payload plus
    /// <see cref="PeerLink.FrameBookkeeping"/> (what holding it costs), so a flood of tiny frames
    /// is charged for its memory. Past it, as <see cref="MaxQueuedFrames"/>. Defaults to 32 MiB
    /// (above a full hub mailbox, 16 MiB, delivered at once).
    /// </summary>
    public long MaxQueuedBytes { get; init; } = 32L << 20;

    /// <summary>
    /// <see cref="MaxQueuedFrames"/> for a link whose peer we have not accepted (a request, see
    /// <see cref="PeerLink.Stranger"/>): it is owed nothing but pongs and a close. Defaults to 256.
    /// </summary>
    public int StrangerMaxQueuedFrames { get; init; } = 256;

    /// <summary><see cref="MaxQueuedBytes"/> for a stranger's link, likewise. Defaults to 64 KiB.</summary>
    public long StrangerMaxQueuedBytes { get; init; } = 64 << 10;

    /// <summary>
    /// Bulk frames waiting to be sent; senders wait for room (back-pressure). They count in the
    /// same frame and byte budget, but never close the link: they wait instead. Defaults to 8.
    /// </summary>
    public int BulkQueueLimit { get; init; } = 8;

    /// <summary>Bytes written to TLS before a flush. Defaults to 64 KiB.</summary>
    public int MaxBatchBytes { get; init; } = 64 * 1024;

    /// <summary>
    /// An accepted connection must send its first byte within this, or it is closed: a real peer's
    /// TLS ClientHello (or a relay preamble) comes at once. Defaults to 3 s.
    /// </summary>
    public TimeSpan FirstByteTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>TLS handshakes (direct or relayed) in progress at once on a node or a hub. Defaults to 64.</summary>
    public int MaxConcurrentHandshakes { get; init; } = 64;

    /// <summary>
    /// TLS handshakes in progress at once from one source (an IPv4 address, an IPv6 /64; relayed
    /// links count against the hub they come through). More wait for a slot. Defaults to 8.
    /// </summary>
    public int MaxHandshakesPerAddress { get; init; } = 8;

    /// <summary>
    /// Connections accepted but not yet linked, from one source. Past it the source's oldest one
    /// not yet handshaking (silent ones first) is closed to make room; if all are handshaking, the
    /// new one is refused. Defaults to 64.
    /// </summary>
    public int MaxPendingPerAddress { get; init; } = 64;

    /// <summary>Connections accepted but not yet linked, from everywhere; past it, as per source. Defaults to 1,024.</summary>
    public int MaxPendingConnections { get; init; } = 1024;

    /// <summary>Log every frame sent and received (direction, peer, type, size). Defaults to off.</summary>
    public bool LogProtocol { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// The frame types this link takes and their caps; anything else closes it. Defaults to every
    /// frame Parley knows; a node passes its router's table, a hub its own.
    /// </summary>
    public Protocol.FrameTable Frames { get; init; } = KnownFrames.Table;
}
