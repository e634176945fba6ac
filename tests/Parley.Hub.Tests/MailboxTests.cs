using Parley.Core.Chat;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Core.Hub.Mailbox;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Node.Storage;
using Parley.Node.Tests;

namespace Parley.Hub.Tests;

/// <summary>Messages to an offline contact wait, sealed, in the hub's mailbox.</summary>
public sealed class MailboxTests : HubTestBase
{
    protected override HubOptions Options(int port) => new() { Home = HubHome, Port = port, BindAddress = IPAddress.Loopback, MailboxMaxMessages = 3 };

    [Fact]
    public async Task MessageToOfflineContact_IsSealedAtTheHub_DeliveredOnReconnect_ThenDeleted()
    {
        await using var alice = await OnHubAsync("alice");
        var bob = await OnHubAsync("bob");
        await TestNode.BefriendAsync(alice, bob);
        var (bobHome, bobPort) = (bob.Home, bob.Node.PeerPort);
        await bob.Node.StopAsync();
        await Wait.UntilAsync(() => alice.Node.Links.Session(bob.Id) is null && !alice.Node.Relay.CanRelayTo(bob.Id), "bob gone");

        const string secret = "meet me by the old mill 9c1e";
        var sent = await alice.Node.Chat.SendAsync(bob.Id, secret);
        Assert.Equal(MessageState.Mailed, sent.State);
        Assert.Null(sent.Warning);
        var held = Hub.Mail.For(bob.Id);
        Assert.Single(held);
        Assert.DoesNotContain(secret, Encoding.UTF8.GetString(held[0].Item), StringComparison.Ordinal);
        foreach (var file in Directory.EnumerateFiles(HubHome))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream, Encoding.Latin1);
            Assert.DoesNotContain(secret, await reader.ReadToEndAsync(), StringComparison.Ordinal);
        }

        // Bob comes back on another port, so alice cannot reach him directly: the mailbox is the way.
        await using var bobAgain = await OnHubAsync("bob", bobHome);
        await Wait.UntilAsync(async () => (await bobAgain.HistoryWith(alice)).Any(m => m.Text == secret), "the held message");
        await Wait.UntilAsync(() => Hub.Mail.For(bob.Id).Count == 0, "the hub to delete it after the ack");
        await Wait.UntilAsync(async () => (await alice.HistoryWith(bob)).Single().State == MessageState.Delivered, "the delivery tick once linked again");
        Assert.Single(await bobAgain.HistoryWith(alice));
    }

    [Fact]
    public async Task FullMailbox_GivesTheSenderAClearError_AndKeepsTheMessageQueued()
    {
        await using var alice = await OnHubAsync("alice");
        var bob = await OfflineContactOfAsync(alice);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(MessageState.Mailed, (await alice.Node.Chat.SendAsync(bob, $"note {i}")).State);
        }
        var fourth = await alice.Node.Chat.SendAsync(bob, "one too many");
        Assert.Equal(MessageState.Queued, fourth.State);
        Assert.Contains("is full (3 messages", fourth.Warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ForgedDirectoryEntry_IsNeverEncryptedTo()
    {
        await using var alice = await OnHubAsync("alice");
        var bob = await OfflineContactOfAsync(alice);
        // Whoever controls the hub swaps bob's entry for one with their own agreement key.
        using var mallory = NodeIdentity.CreateEphemeral();
        using var malloryKey = AgreementKey.CreateEphemeral();
        var forged = Core.Hub.Directory.DirectoryEntry.Create(mallory, "bob", malloryKey.PublicKey, DateTimeOffset.UtcNow) with
        {
            IdentityKey = (await alice.Node.HubDirectory.WhoisAsync(bob.Compact))[0].IdentityKey,
        };
        Hub.Directory.PutUnchecked(forged, bob.Compact);
        var message = await alice.Node.Chat.SendAsync(bob, "for bob only");
        Assert.Equal(MessageState.Queued, message.State);
        Assert.Contains("bad signature; not using it", message.Warning, StringComparison.Ordinal);
        Assert.Empty(Hub.Mail.For(bob));
    }

    [Fact]
    public async Task SealedMessageFromAStranger_IsNotStored_ButBecomesARequest()
    {
        await using var bob = await OnHubAsync("bob");
        using var stranger = NodeIdentity.CreateEphemeral();
        using var bobKey = AgreementKey.LoadOrCreate(bob.Home);
        var item = MailboxSeal.Seal(stranger, bob.Id, bobKey.PublicKey, new ChatMessage(Guid.NewGuid(), DateTimeOffset.UtcNow, "spam").ToArray(), SealPurpose.Mail);
        Assert.True(await bob.Node.MailReceiver.ReceiveAsync(item));
        Assert.Empty(await bob.Node.Store.HistoryAsync(stranger.DeviceId.Compact, 10));
        Assert.Equal(PeerState.Request, bob.Node.Contacts.Find(stranger.DeviceId)!.State);
    }
}
