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
        var before = GC.GetTotalMemory(forceFullCollection: true);
        await using var mallory = await AttackerLink.ConnectAsync(IPEndPoint.Parse(Bob.Address));
        await Wait.UntilAsync(() => Bob.Node.Links.Session(mallory.Identity.DeviceId) is not null, "the stranger's link");
        var victim = (PeerLink)Bob.Node.Links.Session(mallory.Identity.DeviceId)!.Link;
        var flood = PingFlood.Start(mallory, victim, TimeSpan.FromSeconds(15));

        var slowest = await LegitimateChat.WhileAsync(Alice, Bob, flood.Done);
        await flood.Done;
        var closed = await victim.Closed.WaitAsync(Wait.Patience);
        var grown = GC.GetTotalMemory(forceFullCollection: true) - before;

        Assert.Equal(CloseCode.ProtocolError, closed.Code);
        Assert.Contains("peer stopped reading", closed.Reason, StringComparison.Ordinal);
        Assert.InRange(flood.PeakBytes, 0, Bob.Node.Options.Link.StrangerMaxQueuedBytes);
        Assert.Equal(0, victim.QueuedBytes); // freed with the link
        Assert.InRange(grown, long.MinValue, 64L << 20);
        Assert.InRange(slowest, TimeSpan.Zero, LegitimateChat.Bound);
    }
}
