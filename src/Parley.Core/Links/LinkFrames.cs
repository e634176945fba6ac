using Parley.Core.Protocol;

namespace Parley.Core.Links;

/// <summary>The frames every link speaks, handled by <see cref="PeerLink"/> itself (and consent by the node's link manager).</summary>
public static class LinkFrames
{
    public static IReadOnlyList<FrameSpec> Specs { get; } =
    [
        FrameSpec.Of<Hello>(FrameType.Hello),
        FrameSpec.Of<PingNonce>(FrameType.Ping),
        FrameSpec.Of<PingNonce>(FrameType.Pong),
        FrameSpec.Of<CloseMessage>(FrameType.Close),
        FrameSpec.Of<ConsentMessage>(FrameType.Consent),
    ];

    /// <summary>What may arrive before the hello is read: a peer that closes at once is told apart from garbage.</summary>
    public static FrameTable Handshake { get; } = new(Specs);
}
