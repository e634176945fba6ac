using Parley.Core.Protocol;
using Parley.Node.Chat;
using Parley.Node.Storage;

namespace Parley.Node.Tests.Chat;

public class ChatBetweenNodesTests
{
    [Fact]
    public async Task Contacts_ChatBothWays_MessagesDeliveredAndStored()
    {
        await using var alice = await TestNode.StartAsync("alice");
        await using var bob = await TestNode.StartAsync("bob");
        await TestNode.BefriendAsync(alice, bob);
        var sent = await alice.Node.Chat.SendAsync(bob.Id, "hello bob");
        await bob.Node.Chat.SendAsync(alice.Id, "hi alice");
        await Wait.UntilAsync(async () => (await alice.HistoryWith(bob)).Count == 2 && (await bob.HistoryWith(alice)).Count == 2);
        await Wait.UntilAsync(async () => (await alice.HistoryWith(bob)).All(m => m.State is MessageState.Delivered or MessageState.Received));
        var atBob = await bob.HistoryWith(alice);
        Assert.Contains(atBob, m => m.Id == sent.Id && m.Text == "hello bob" && m.State == MessageState.Received);
    }

    [Fact]
    public async Task Add_OneSide_MakesRequest_AndMessagesWaitForAccept()
    {
        await using var alice = await TestNode.StartAsync("alice");
        await using var bob = await TestNode.StartAsync("bob");
        await alice.Node.Links.MakeContactAsync(bob.Id, address: bob.Address);
        await Wait.UntilAsync(() => bob.Node.Contacts.Find(alice.Id)?.State == PeerState.Request, "the request at bob");
        Assert.Equal("alice", bob.Node.Contacts.Find(alice.Id)!.RemoteName);
        var waiting = await alice.Node.Chat.SendAsync(bob.Id, "are you there?");
        Assert.Equal(MessageState.Queued, waiting.State);
        await Task.Delay(300);
        Assert.Empty(await bob.HistoryWith(alice));
        await Assert.ThrowsAsync<ChatException>(() => bob.Node.Chat.SendAsync(alice.Id, "not yet a contact"));

        await bob.Node.Links.MakeContactAsync(alice.Id);
        await Wait.UntilAsync(async () => (await bob.HistoryWith(alice)).Any(m => m.Id == waiting.Id), "delivery after accept");
        await Wait.UntilAsync(async () => (await alice.HistoryWith(bob)).Single().State == MessageState.Delivered);
    }

    [Fact]
    public async Task OfflineContact_GetsQueuedMessages_WhenBack()
    {
        await using var alice = await TestNode.StartAsync("alice");
        await using var bob = await TestNode.StartAsync("bob");
        await TestNode.BefriendAsync(alice, bob);
        var bobHome = bob.Home;
        var bobPort = bob.Node.PeerPort;
        await bob.Node.StopAsync();
        await Wait.UntilAsync(() => alice.Node.Links.Session(bob.Id) is null, "alice to see bob leave");
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(MessageState.Queued, (await alice.Node.Chat.SendAsync(bob.Id, $"queued {i}")).State);
        }
        await using var bobAgain = await TestNode.StartAsync("bob", bobHome, bobPort);
        await Wait.UntilAsync(async () => (await bobAgain.HistoryWith(alice)).Count == 3, "the queued messages");
        Assert.Equal(["queued 0", "queued 1", "queued 2"], (await bobAgain.HistoryWith(alice)).Select(m => m.Text));
        await Wait.UntilAsync(async () => (await alice.HistoryWith(bob)).All(m => m.State == MessageState.Delivered));
    }

    [Fact]
    public async Task History_SurvivesRestart()
    {
        await using var alice = await TestNode.StartAsync("alice");
        await using var bob = await TestNode.StartAsync("bob");
        await TestNode.BefriendAsync(alice, bob);
        await alice.Node.Chat.SendAsync(bob.Id, "remember me");
        await Wait.UntilAsync(async () => (await bob.HistoryWith(alice)).Count == 1);
        await bob.RestartAsync();
        var history = await bob.HistoryWith(alice);
        Assert.Equal("remember me", Assert.Single(history).Text);
        await Wait.UntilAsync(() => bob.Node.Links.Session(alice.Id)?.IsOpen == true, "the link after restart");
    }

    [Fact]
    public async Task Message_OverCap_IsRefused_AndNotStored()
    {
        await using var alice = await TestNode.StartAsync("alice");
        await using var bob = await TestNode.StartAsync("bob");
        await TestNode.BefriendAsync(alice, bob);
        var error = await Assert.ThrowsAsync<ChatException>(() => alice.Node.Chat.SendAsync(bob.Id, new string('é', Parley.Core.Chat.ChatMessage.MaxTextBytes / 2 + 1)));
        Assert.Contains("the limit is 65536", error.Message, StringComparison.Ordinal);
        Assert.Empty(await alice.HistoryWith(bob));
        await alice.Node.Chat.SendAsync(bob.Id, new string('a', Parley.Core.Chat.ChatMessage.MaxTextBytes));
        await Wait.UntilAsync(async () => (await bob.HistoryWith(alice)).Count == 1, "a message exactly at the cap");
    }

    [Fact]
    public async Task Leaving_TellsContacts_WithReason()
    {
        await using var alice = await TestNode.StartAsync("alice");
        await using var bob = await TestNode.StartAsync("bob");
        await TestNode.BefriendAsync(alice, bob);
        using var events = alice.Node.Events.Subscribe();
        await bob.Node.StopAsync();
        var deadline = DateTime.UtcNow + Wait.Patience;
        string? offline = null;
        while (offline is null && DateTime.UtcNow < deadline)
        {
            var json = await events.Reader.ReadAsync().AsTask().WaitAsync(Wait.Patience);
            offline = json.Contains("\"peer.offline\"", StringComparison.Ordinal) ? json : null;
        }
        Assert.NotNull(offline);
        Assert.Contains("\"reason\":\"shutting down\"", offline, StringComparison.Ordinal);
        Assert.Contains("\"name\":\"bob\"", offline, StringComparison.Ordinal);
        Assert.NotNull(alice.Node.Contacts.Find(bob.Id)!.LastSeen);
    }
}
