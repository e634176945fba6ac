using System.Net;
using Parley.Core.Links;
using Parley.Node.Storage;
using Parley.Node.Tests;

namespace Parley.Hub.Tests;

/// <summary>
/// A relayed link moves to a direct one while it lives, as soon as the node learns an address that
/// works (here given as LAN discovery would): both sides keep the direct link, the relayed one closes
/// at the hub, and chat sent both ways across the switch arrives once each and is acknowledged.
/// </summary>
public sealed class RelayUpgradeTests : HubTestBase
{
    [Fact]
    public async Task RelayedLink_LearnsADirectAddress_MovesToIt_WithoutLosingMessages()
    {
        // Neither listens where the hub sees it (127.0.0.1): the link starts relayed and stays so until told more.
        await using var alice = await OnHubAsync("alice", bind: IPAddress.Parse("127.0.0.3"));
        await using var bob = await OnHubAsync("bob", bind: IPAddress.Parse("127.0.0.2"));
        await alice.Node.Links.MakeContactAsync(bob.Id);
        await bob.Node.Links.MakeContactAsync(alice.Id);
        await Wait.UntilAsync(() => alice.Node.Links.Session(bob.Id)?.IsOpen == true && bob.Node.Links.Session(alice.Id)?.IsOpen == true, "the relayed link");
        Assert.Equal(LinkPath.Relayed, alice.Node.Links.Session(bob.Id)!.Link.Path);
        await Task.Delay(1500); // the first upgrade tries (nothing direct known) fail; the link stays relayed
        Assert.Equal(LinkPath.Relayed, alice.Node.Links.Session(bob.Id)!.Link.Path);
        Assert.Equal(1, Hub.Relay.ActiveSessions);

        var chatter = Task.WhenAll(ChatAsync(alice, bob, "a"), ChatAsync(bob, alice, "b"));
        await Task.Delay(300);
        await alice.Node.Contacts.UpdateAsync(bob.Id, r => r with { Address = bob.Address });
        await Wait.UntilAsync(() => alice.Node.Links.Session(bob.Id)?.Link.Path == LinkPath.Lan && bob.Node.Links.Session(alice.Id)?.Link.Path == LinkPath.Lan,
            "both sides on the direct link");
        await chatter;

        await Wait.UntilAsync(() => Hub.Relay.ActiveSessions == 0, "the relayed link closed at the hub");
        foreach (var (from, to) in new[] { (alice, bob), (bob, alice) })
        {
            await Wait.UntilAsync(async () => (await from.HistoryWith(to)).Where(m => m.Outgoing).All(m => m.State == MessageState.Delivered),
                $"{from.Node.Name}'s messages acknowledged");
            var received = (await to.HistoryWith(from)).Where(m => !m.Outgoing).Select(m => m.Text).ToList();
            Assert.Equal(Messages, received.Count);
            Assert.Equal(Messages, received.Distinct().Count());
        }
        Assert.True(alice.Node.Links.Session(bob.Id)!.IsOpen);
    }

    private const int Messages = 40;

    private static async Task ChatAsync(TestNode from, TestNode to, string tag)
    {
        for (var i = 0; i < Messages; i++)
        {
            await from.Node.Chat.SendAsync(to.Id, $"{tag}{i}");
            await Task.Delay(25);
        }
    }
}
