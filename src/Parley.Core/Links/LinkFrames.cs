using Parley.Core.Protocol;

namespace Parley.Core.Links;

/// <summary>The frames every link speaks, handled by <see cref="PeerLink"/> itself: hello, keepalive, close, consent.</summary>
public static class LinkFrames
{
    public static IReadOnlyList<FrameSpec> Specs { get; } =
    [
        new(FrameType.Hello, Hello.MaxSize),
        new(FrameType.Ping, 8),
        new(FrameType.Pong, 8),
        new(FrameType.Close, 1 + ProtocolLimits.MaxCloseReasonBytes),
        new(FrameType.Consent, 1),
    ];

    /// <summary>What may arrive before the hello is read: a peer that closes at once is told apart from garbage.</summary>
    public static FrameTable Handshake { get; } = new(Specs);
}
