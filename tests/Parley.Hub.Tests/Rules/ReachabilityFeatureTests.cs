using System.Net;
using Parley.Core.Hub.Presence;
using Parley.Core.Protocol;
using Parley.Core.Traversal;

namespace Parley.Hub.Tests.Rules;

public sealed class ReachabilityFeatureTests
{
    [Fact]
    public async Task AForwardedPort_AtTheMembersOwnAddress_IsAnnounced_ButNoOtherAddressIsTaken()
    {
        var members = new FakeMembers(new HubOptions { Home = "unused" });
        var feature = new ReachabilityFeature(new PresenceFeature(members.Registry, TimeProvider.System));
        var (alice, _) = members.Join("alice"); // its link comes from 127.0.0.1
        var (_, bob) = members.Join("bob");

        await feature.OnFrameAsync(alice, FakeMembers.FrameOf(FrameType.ReachableAt, new ReachableAt(IPEndPoint.Parse("203.0.113.9:4000"))));
        Assert.Equal("", alice.Address);
        Assert.Empty(bob.Received<PresenceNotice>(FrameType.Presence));

        await feature.OnFrameAsync(alice, FakeMembers.FrameOf(FrameType.ReachableAt, new ReachableAt(IPEndPoint.Parse("127.0.0.1:4000"))));
        Assert.Equal("127.0.0.1:4000", alice.Address);
        var notice = Assert.Single(bob.Received<PresenceNotice>(FrameType.Presence));
        Assert.Equal((PresenceKind.Joined, "127.0.0.1:4000"), (notice.Kind, notice.Address));
    }
}
