using System.Net;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Links;

/// <summary>
/// What a feature may do with a live link: send, close, and read who is at the other end. The seam
/// between features and <see cref="PeerLink"/>, so a feature's rules can be tested with a fake link.
/// </summary>
public interface IPeerLink
{
    /// <summary>Numbers links in the order this process made them (tells a replaced link from its successor).</summary>
    long Number { get; }

    DeviceId RemoteId { get; }

    Hello RemoteHello { get; }

    LinkDirection Direction { get; }

    IPEndPoint RemoteEndPoint { get; }

    /// <summary>True when the TLS session runs through a hub's relay (its far end is the hub).</summary>
    bool Relayed { get; }

    /// <summary>How the connection reaches the peer (LAN, direct, punched, mapped or relayed).</summary>
    LinkPath Path => Relayed ? LinkPath.Relayed : LinkPath.Direct;

    bool IsClosed { get; }

    Task<LinkClosed> Closed { get; }

    /// <summary>Queues a control frame; false when the link is closed.</summary>
    bool TrySend(FrameType type, byte[] payload, byte channel = 0);

    /// <summary>Queues a bulk frame without waiting; false when the link is closed or the bulk queue is full.</summary>
    bool TrySendBulk(FrameType type, byte[] payload);

    /// <summary>Queues a bulk frame, waiting for room (back-pressure); false when the link closed.</summary>
    ValueTask<bool> SendBulkAsync(FrameType type, byte[] payload, byte channel = 0, CancellationToken cancellationToken = default);

    /// <summary>As the other overload, for a rented buffer of which <paramref name="length"/> bytes count; returned when sent if <paramref name="pooled"/>.</summary>
    ValueTask<bool> SendBulkAsync(FrameType type, byte[] payload, int length, bool pooled, byte channel = 0, CancellationToken cancellationToken = default);

    Task CloseAsync(CloseCode code, string reason);
}
