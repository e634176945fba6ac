using System.Buffers;
using Parley.Core.Protocol;
using Parley.Node.Links;
using Parley.Node.Tests.Fakes;

namespace Parley.Node.Tests.Links;

/// <summary>The peer links' router: each frame type has one owner, never the link's own, and an unowned frame is a protocol error.</summary>
public sealed class FrameRouterTests
{
    private static Frame Empty(FrameType type) => new(type, 0, ReadOnlySequence<byte>.Empty);

    [Fact]
    public void TwoFeatures_ClaimingOneFrame_AreRefused() =>
        Assert.Contains("already owned by ClaimingFeature", Assert.Throws<InvalidOperationException>(() =>
            new FrameRouter([new ClaimingFeature(FrameType.ChatMessage), new ClaimingFeature(FrameType.ChatMessage)])).Message, StringComparison.Ordinal);

    [Fact]
    public void AFeature_ClaimingALinkFrame_IsRefused() =>
        Assert.Contains("already owned by the link", Assert.Throws<InvalidOperationException>(() =>
            new FrameRouter([new ClaimingFeature(FrameType.Ping)])).Message, StringComparison.Ordinal);

    [Fact]
    public async Task EachFrame_GoesToItsOwner_AndAnUnownedOne_IsAProtocolError()
    {
        var chat = new ClaimingFeature(FrameType.ChatMessage);
        var router = new FrameRouter([chat, new ClaimingFeature(FrameType.FileOffer)]);
        var (session, _) = new FakeSessions().Open("bob");
        await router.RouteAsync(session, Empty(FrameType.ChatMessage));
        Assert.Equal(1, chat.Seen);
        Assert.True(router.Frames.Contains(FrameType.Ping));
        var error = Assert.Throws<ProtocolException>(() => router.RouteAsync(session, Empty(FrameType.CallInvite)).AsTask().GetAwaiter().GetResult());
        Assert.Equal("CallInvite is not a frame a node takes", error.Message);
    }
}
