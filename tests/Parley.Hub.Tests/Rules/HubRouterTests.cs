using Parley.Core.Chat;
using Parley.Core.Hub.Directory;
using Parley.Core.Hub.Presence;
using Parley.Core.Hub.Rooms;
using Parley.Core.Protocol;
using Parley.Core.Tests;

namespace Parley.Hub.Tests.Rules;

/// <summary>The hub's router without sockets: who takes which frame, and each member's flood limits.</summary>
public sealed class HubRouterTests
{
    private readonly ManualTimeProvider _time = new();

    /// <summary>Takes whatever it declares and counts the frames it was given.</summary>
    private sealed class CountingFeature(params FrameSpec[] takes) : IHubFeature
    {
        public int Frames { get; private set; }

        public IReadOnlyList<FrameSpec> Takes { get; } = takes;

        public IReadOnlyList<FrameSpec> Sends { get; } = [FrameSpec.Of<PresenceNotice>(FrameType.Presence)];

        public HubBudget BudgetFor(FrameType type) => type == FrameType.RoomMessage ? HubBudget.RoomTraffic : HubBudget.Requests;

        public ValueTask OnFrameAsync(Member member, Frame frame)
        {
            Frames++;
            return ValueTask.CompletedTask;
        }
    }

    private HubOptions Options => new() { Home = "unused", RequestsPerSecond = 1, RequestBurst = 2, RoomMessagesPerSecond = 5, TimeProvider = _time };

    private static readonly Frame Query = FakeMembers.FrameOf(FrameType.WhoisQuery, new WhoisQuery(1, "anyone"));

    [Fact]
    public async Task FrameTheHubOnlySends_FromAMember_IsAProtocolError()
    {
        var feature = new CountingFeature(FrameSpec.Of<WhoisQuery>(FrameType.WhoisQuery));
        var router = new HubRouter([feature]);
        var (member, _) = new FakeMembers(Options).Join("alice");
        var presence = FakeMembers.FrameOf(FrameType.Presence, new PresenceNotice(PresenceKind.Joined, member.Id, _time.GetUtcNow(), "x"));

        var error = await Assert.ThrowsAsync<ProtocolException>(() => router.RouteAsync(member, presence).AsTask());

        Assert.Equal("a hub does not take Presence frames", error.Message);
        Assert.Equal(0, feature.Frames);
        Assert.NotNull(router.Frames.MaxPayloadFor((byte)FrameType.Presence)); // it may still send them
        Assert.Null(router.Frames.MaxPayloadFor((byte)FrameType.ChatMessage)); // a hub link does not even read chat
    }

    [Fact]
    public void TwoFeatures_TakingOneFrameType_AreRefusedWhenTheRouterIsBuilt()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new HubRouter(
            [new CountingFeature(FrameSpec.Of<WhoisQuery>(FrameType.WhoisQuery)), new CountingFeature(FrameSpec.Of<WhoisQuery>(FrameType.WhoisQuery))]));
        Assert.Contains("WhoisQuery", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MemberOverItsRequestRate_IsCutOff_UntilTheBucketRefills()
    {
        var feature = new CountingFeature(FrameSpec.Of<WhoisQuery>(FrameType.WhoisQuery), FrameSpec.Of<RoomMessage>(FrameType.RoomMessage));
        var router = new HubRouter([feature]);
        var members = new FakeMembers(Options);
        var (alice, _) = members.Join("alice");
        var (bob, _) = members.Join("bob");

        await router.RouteAsync(alice, Query);
        await router.RouteAsync(alice, Query);
        var error = await Assert.ThrowsAsync<ProtocolException>(() => router.RouteAsync(alice, Query).AsTask());
        Assert.Equal("too many requests (over 1/s)", error.Message);

        // Room traffic has its own allowance, and another member has its own bucket.
        await router.RouteAsync(alice, FakeMembers.FrameOf(FrameType.RoomMessage, new RoomMessage(1, "team", alice.Id, [1])));
        await router.RouteAsync(bob, Query);

        _time.Advance(TimeSpan.FromSeconds(1));
        await router.RouteAsync(alice, Query);
        Assert.Equal(5, feature.Frames);
    }
}
