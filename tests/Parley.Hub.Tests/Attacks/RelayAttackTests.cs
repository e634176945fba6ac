using System.Net;
using Parley.Core.Hub.Relay;
using Parley.Core.Protocol;
using Parley.Node.Tests;
using Parley.Testing;

namespace Parley.Hub.Tests.Attacks;

/// <summary>
/// Relay slots are charged to the member who asks: two identities asking as fast as their request
/// rate allows (19 a second) for relays nobody uses hold only their own share, and a legitimate
/// pair still gets a relay.
/// </summary>
public sealed class RelayAttackTests : HubTestBase
{
    /// <summary>Fewer slots than the default 256, so the attack would fill them in two seconds.</summary>
    protected override HubOptions Options(int port) => base.Options(port) with { MaxRelaySessions = 48 };

    [Fact]
    public async Task TwoIdentities_FloodingRelayRequests_HoldOnlyTheirShare_AndALegitimatePairStillGetsARelay()
    {
        await using var alice = await OnHubAsync("alice");
        await using var bob = await OnHubAsync("bob");
        var hub = new IPEndPoint(IPAddress.Loopback, Hub.Port);
        await using var mallory = await AttackerLink.ConnectAsync(hub, "mallory");
        await using var trudy = await AttackerLink.ConnectAsync(hub, "trudy");
        await Wait.UntilAsync(() => Hub.Online.Contains(mallory.Identity.DeviceId) && Hub.Online.Contains(trudy.Identity.DeviceId), "both attackers on the hub");

        // Each asks for a relay to the other 19 times a second (just under its request rate) and never uses one.
        var requests = 0u;
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(3);
        while (DateTime.UtcNow < until)
        {
            requests++;
            await mallory.SendAsync(FrameType.RelayRequest, new RelayRequest(trudy.Identity.DeviceId, requests));
            await trudy.SendAsync(FrameType.RelayRequest, new RelayRequest(mallory.Identity.DeviceId, requests));
            await Task.Delay(1000 / 19);
        }
        Assert.True(requests * 2 > 48, $"only {requests * 2} requests went out");
        Assert.True(Hub.Online.Contains(mallory.Identity.DeviceId), "the attack stayed under the request rate");

        var (socket, _) = await alice.Node.Relay.OpenRelayAsync(bob.Id, CancellationToken.None);
        socket.Dispose();
    }
}
