namespace Parley.Core.Links;

/// <summary>Timeouts and buffer limits of a peer link.</summary>
public sealed record LinkOptions
{
    /// <summary>A ping goes out when nothing was sent for this long. Defaults to 30 s.</summary>
    public TimeSpan KeepaliveInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The link is dead when nothing arrived for this long. Defaults to 90 s.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(90);

    /// <summary>TCP connect, TLS and hello together must finish within this. Defaults to 10 s.</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a graceful close may take to flush before the socket is cut. Defaults to 1 s.</summary>
    public TimeSpan CloseTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Control and chat frames waiting to be sent; past this the link is closed as stuck. Defaults to 65,536.</summary>
    public int ControlQueueLimit { get; init; } = 65_536;

    /// <summary>Bulk frames waiting to be sent; senders wait for room (back-pressure). Defaults to 8.</summary>
    public int BulkQueueLimit { get; init; } = 8;

    /// <summary>Bytes written to TLS before a flush. Defaults to 64 KiB.</summary>
    public int MaxBatchBytes { get; init; } = 64 * 1024;

    /// <summary>Log every frame sent and received (direction, peer, type, size). Defaults to off.</summary>
    public bool LogProtocol { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// The frame types this link takes and their caps; anything else closes it. Defaults to every
    /// frame Parley knows; a node passes its router's table, a hub its own.
    /// </summary>
    public Protocol.FrameTable Frames { get; init; } = KnownFrames.Table;
}
