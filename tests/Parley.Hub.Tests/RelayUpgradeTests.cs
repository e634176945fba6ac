using System.Net;
using Parley.Core.Links;
using Parley.Node.Files;
using Parley.Node.Storage;
using Parley.Node.Tests;

namespace Parley.Hub.Tests;

/// <summary>
/// A relayed link moves to a direct one while it lives, as soon as the node learns an address that
/// works (here given as LAN discovery would): both sides keep the direct link, the relayed one closes
/// at the hub, and chat sent both ways across the switch arrives once each and is acknowledged. A
/// transfer running over the relayed link keeps it until the transfer is done.
/// </summary>
public sealed class RelayUpgradeTests : HubTestBase
{
    /// <summary>A slow relay (2 MiB/s a session), so a transfer over it runs for seconds.</summary>
    protected override HubOptions Options(int port) => base.Options(port) with { RelayBytesPerSecondPerSession = 2 << 20 };

    private async Task<(TestNode Alice, TestNode Bob)> RelayedContactsAsync()
    {
        // Neither listens where the hub sees it (127.0.0.1): the link starts relayed and stays so until told more.
        var alice = await OnHubAsync("alice", bind: IPAddress.Parse("127.0.0.3"));
        var bob = await OnHubAsync("bob", bind: IPAddress.Parse("127.0.0.2"));
        await alice.Node.Links.MakeContactAsync(bob.Id);
        await bob.Node.Links.MakeContactAsync(alice.Id);
        await Wait.UntilAsync(() => alice.Node.Links.Session(bob.Id)?.IsOpen == true && bob.Node.Links.Session(alice.Id)?.IsOpen == true, "the relayed link");
        Assert.Equal(LinkPath.Relayed, alice.Node.Links.Session(bob.Id)!.Link.Path);
        return (alice, bob);
    }

    [Fact]
    public async Task RelayedLink_CarryingATransfer_MovesOnlyOnceItIsDone()
    {
        var (alice, bob) = await RelayedContactsAsync();
        await using var _ = alice;
        await using var __ = bob;
        var work = Directory.CreateTempSubdirectory("parley-upgrade-files-").FullName;
        try
        {
            var source = Path.Combine(work, "big.bin");
            await File.WriteAllBytesAsync(source, System.Security.Cryptography.RandomNumberGenerator.GetBytes(6 << 20));
            var (offer, _) = await alice.Node.Files.OfferAsync(bob.Id, [source]);
            await Wait.UntilAsync(() => bob.Node.Files.All.Any(t => t.Id == offer.Id), "the offer");
            await bob.Node.Files.AcceptAsync(bob.Node.Files.All.Single(t => t.Id == offer.Id), Path.Combine(work, "in"));
            await Wait.UntilAsync(() => offer.State == TransferState.Active, "the transfer moving");
            await alice.Node.Contacts.UpdateAsync(bob.Id, r => r with { Address = bob.Address });
            var movedWhileActive = false;
            while (offer.State == TransferState.Active)
            {
                movedWhileActive |= alice.Node.Links.Session(bob.Id)?.Link.Path != LinkPath.Relayed;
                await Task.Delay(50);
            }
            Assert.Equal(TransferState.Completed, offer.State);
            Assert.False(movedWhileActive, "the link moved under a running transfer");
            await Wait.UntilAsync(() => alice.Node.Links.Session(bob.Id)?.Link.Path == LinkPath.Lan, "the direct link once the transfer is done");
            Assert.Equal(await File.ReadAllBytesAsync(source), await File.ReadAllBytesAsync(Path.Combine(work, "in", "big.bin")));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task RelayedLink_LearnsADirectAddress_MovesToIt_WithoutLosingMessages()
    {
        var (alice, bob) = await RelayedContactsAsync();
        await using var _ = alice;
        await using var __ = bob;
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
