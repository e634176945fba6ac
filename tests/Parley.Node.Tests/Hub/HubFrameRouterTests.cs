using Parley.Core.Chat;
using System.Buffers;
using Parley.Core.Hub.Presence;
using Parley.Core.Protocol;
using Parley.Node.Hub;
using Parley.Node.Tests.Fakes;

namespace Parley.Node.Tests.Hub;

public sealed class HubFrameRouterTests
{
    private static Frame Empty(FrameType type) => new(type, 0, ReadOnlySequence<byte>.Empty);

    [Fact]
    public void TwoFeatures_ClaimingOneFrame_AreRefused() =>
        Assert.Throws<InvalidOperationException>(() => new HubFrameRouter([new ClaimingFeature(FrameType.Presence), new ClaimingFeature(FrameType.Presence)]));

    [Fact]
    public void AFeature_ClaimingAPeerFrame_IsRefused() =>
        Assert.Throws<InvalidOperationException>(() => new HubFrameRouter([new ClaimingFeature(FrameType.ChatMessage)]));

    [Fact]
    public async Task EachFrame_GoesToItsOwner_AndAnUnownedOne_ClosesTheLink()
    {
        var presence = new ClaimingFeature(FrameType.Presence);
        var router = new HubFrameRouter([presence, new ClaimingFeature(FrameType.WhoisResult)]);
        await router.RouteAsync(FakeHub.Link(), Empty(FrameType.Presence));
        Assert.Equal(1, presence.Seen);
        var error = Assert.Throws<ProtocolException>(() => router.RouteAsync(FakeHub.Link(), Empty(FrameType.RoomMessage)).AsTask().GetAwaiter().GetResult());
        Assert.Contains("a hub does not send RoomMessage frames", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheHubLinksTable_TakesEveryHubFrame_AndNoPeerFrame()
    {
        Assert.NotNull(HubFrameRouter.Frames.MaxPayloadFor((byte)FrameType.Presence));
        Assert.Equal(PresenceNotice.MaxSize, HubFrameRouter.Frames.MaxPayloadFor((byte)FrameType.Presence));
        Assert.False(HubFrameRouter.Frames.Contains(FrameType.ChatMessage));
    }
}
