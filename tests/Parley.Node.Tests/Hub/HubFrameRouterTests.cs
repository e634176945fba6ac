using Parley.Core.Chat;
using System.Buffers;
using Parley.Core.Hub.Presence;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Hub;

namespace Parley.Node.Tests.Hub;

public sealed class HubFrameRouterTests
{
    private sealed class Claims(params FrameType[] types) : IHubClientFeature
    {
        public IReadOnlyList<FrameSpec> Frames { get; } = [.. types.Select(t => new FrameSpec(t, 100))];

        public int Seen { get; private set; }

        public ValueTask OnFrameAsync(IPeerLink hub, Frame frame)
        {
            Seen++;
            return ValueTask.CompletedTask;
        }
    }

    private static Frame Empty(FrameType type) => new(type, 0, ReadOnlySequence<byte>.Empty);

    [Fact]
    public void TwoFeatures_ClaimingOneFrame_AreRefused() =>
        Assert.Throws<InvalidOperationException>(() => new HubFrameRouter([new Claims(FrameType.Presence), new Claims(FrameType.Presence)]));

    [Fact]
    public void AFeature_ClaimingAPeerFrame_IsRefused() =>
        Assert.Throws<InvalidOperationException>(() => new HubFrameRouter([new Claims(FrameType.ChatMessage)]));

    [Fact]
    public async Task EachFrame_GoesToItsOwner_AndAnUnownedOne_ClosesTheLink()
    {
        var presence = new Claims(FrameType.Presence);
        var router = new HubFrameRouter([presence, new Claims(FrameType.WhoisResult)]);
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
