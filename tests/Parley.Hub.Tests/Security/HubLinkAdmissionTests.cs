using System.Diagnostics;
using System.Net;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Tests;
using Parley.Node.Tests.Security;
using Parley.Testing;

namespace Parley.Hub.Tests.Security;

/// <summary>
/// The hub's links are admitted like a node's: anyone may join, so a member that pings without
/// reading is closed at its link's budget, and silent sockets cannot hold the handshake slots; the
/// room chat of two real members goes on through both.
/// </summary>
public sealed class HubLinkAdmissionTests : HubTestBase
{
    private IPEndPoint HubEndpoint => new(IPAddress.Loopback, Hub.Port);

    [Fact]
    public async Task Member_FloodingPingsWithoutReading_IsClosed_WithinItsBudget_WhileARoomChats()
    {
        await using var alice = await OnHubAsync("alice");
        await using var bob = await OnHubAsync("bob");
        await RoomProbe.OpenAsync(alice, bob);
        await using var mallory = await AttackerLink.ConnectAsync(HubEndpoint);
        await Wait.UntilAsync(() => Hub.Members.TryGet(mallory.Identity.DeviceId, out _), "mallory a member");
        Assert.True(Hub.Members.TryGet(mallory.Identity.DeviceId, out var member));
        var victim = (PeerLink)member.Link;
        var flood = PingFlood.Start(mallory, victim, TimeSpan.FromSeconds(20));

        var slowest = await RoomProbe.WhileAsync(alice, bob, flood.Done);
        await flood.EndAsync();
        Assert.InRange(flood.PeakFrames, 0, new LinkOptions().MaxQueuedFrames);
        Assert.InRange(slowest, TimeSpan.Zero, RoomProbe.Bound);
        await Wait.UntilAsync(() => !Hub.Online.Contains(mallory.Identity.DeviceId), "mallory gone");
    }

    [Fact]
    public async Task TwoHundredSilentSockets_DoNotKeepARealMemberOut()
    {
        await using var alice = await OnHubAsync("alice");
        await using var bob = await TestNode.StartAsync("bob");
        var sockets = await RawConnections.OpenAsync(HubEndpoint, 200);
        try
        {
            var clock = Stopwatch.StartNew();
            await bob.Node.Hub.JoinAsync(Invite);
            await Wait.UntilAsync(() => bob.Node.Hub.Connected && Hub.Online.Contains(bob.Id), "bob on the hub");
            Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(2.5)); // the old code: 10 s a slot
            await RoomProbe.OpenAsync(alice, bob);
            Assert.InRange(await RoomProbe.OnceAsync(alice, bob, "through the crowd"), TimeSpan.Zero, RoomProbe.Bound);
        }
        finally
        {
            sockets.ToList().ForEach(s => s.Dispose());
        }
    }
}
