using System.Net;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Testing;

namespace Parley.Node.Tests.Security;

/// <summary>
/// A stranger pings as fast as it can and never reads a pong: the pongs are charged to its link's
/// budget (a stranger's, small until accepted), the link is closed saying why, memory stays bounded
/// and is freed, and two contacts chat on meanwhile.
/// </summary>
public sealed class PingFloodTests : TwoContacts
{
    [Fact]
    public async Task Stranger_FloodingPingsWithoutReading_IsClosed_WithinItsBudget_WhileContactsChat()
    {
        await using var mallory = await AttackerLink.ConnectAsync(IPEndPoint.Parse(Bob.Address));
        await Wait.UntilAsync(() => Bob.Node.Links.Session(mallory.Identity.DeviceId) is not null, "the stranger's link");
        var victim = (PeerLink)Bob.Node.Links.Session(mallory.Identity.DeviceId)!.Link;
        var flood = PingFlood.Start(mallory, victim, TimeSpan.FromSeconds(15));

        var slowest = await LegitimateChat.WhileAsync(Alice, Bob, flood.Done);
        await flood.EndAsync();
        Assert.InRange(flood.PeakBytes, 0, Bob.Node.Options.Link.StrangerMaxQueuedBytes);
        Assert.InRange(slowest, TimeSpan.Zero, LegitimateChat.Bound);
    }
}
