using Parley.Core.Chat;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Storage;

namespace Parley.Node.Tests.Links;

public class ConsentAndLinkTests
{
    /// <summary>Dials <paramref name="target"/> as a bare link that claims to hold it as a contact.</summary>
    private static async Task<PeerLink> DialAsStrangerAsync(NodeIdentity stranger, TestNode target)
    {
        var establisher = new LinkEstablisher(stranger, new LinkOptions(), NullLoggerFactory.Instance);
        return await establisher.ConnectAsync(IPEndPoint.Parse(target.Address), target.Id,
            _ => new Hello(Hello.CurrentVersion, stranger.DeviceId, 0, 0, HelloFlags.Contact, "mallory"), CancellationToken.None);
    }

    [Fact]
    public async Task Stranger_SendingChat_IsDisconnected_AndNothingStored()
    {
        await using var bob = await TestNode.StartAsync("bob");
        using var stranger = NodeIdentity.CreateEphemeral();
        var link = await DialAsStrangerAsync(stranger, bob);
        link.Start((_, _) => ValueTask.CompletedTask);
        Assert.False(link.RemoteHello.Flags.HasFlag(HelloFlags.Contact));
        link.TrySend(FrameType.ChatMessage, new ChatMessage(Guid.NewGuid(), DateTimeOffset.UtcNow, "buy now").ToArray());
        var closed = await link.Closed.WaitAsync(Wait.Patience);
        Assert.Equal(CloseCode.ProtocolError, closed.Code);
        Assert.Contains("not an accepted contact", closed.Reason, StringComparison.Ordinal);
        Assert.Empty(await bob.Node.Store.HistoryAsync(stranger.DeviceId.Compact, 10));
        Assert.Equal(PeerState.Request, bob.Node.Contacts.Find(stranger.DeviceId)!.State);
    }

    [Theory]
    [InlineData(PeerState.Denied)]
    [InlineData(PeerState.Blocked)]
    public async Task Refused_Device_IsClosedNow_AndRefusedWhenItComesBack(PeerState refusal)
    {
        await using var bob = await TestNode.StartAsync("bob");
        using var stranger = NodeIdentity.CreateEphemeral();
        var first = await DialAsStrangerAsync(stranger, bob);
        first.Start((_, _) => ValueTask.CompletedTask);
        await Wait.UntilAsync(() => bob.Node.Contacts.Find(stranger.DeviceId) is not null);
        await bob.Node.Links.RefuseAsync(stranger.DeviceId, refusal);
        var closed = await first.Closed.WaitAsync(Wait.Patience);
        Assert.Equal(new LinkClosed(CloseCode.Rejected, "not accepted", ByRemote: true), closed);

        var again = await DialAsStrangerAsync(stranger, bob);
        again.Start((_, _) => ValueTask.CompletedTask);
        Assert.Equal(CloseCode.Rejected, (await again.Closed.WaitAsync(Wait.Patience)).Code);
        Assert.Null(bob.Node.Links.Session(stranger.DeviceId));
        Assert.Equal(refusal, bob.Node.Contacts.Find(stranger.DeviceId)!.State);
    }

    [Fact]
    public async Task BothSidesDialAtOnce_KeepTheSameSingleLink()
    {
        await using var alice = await TestNode.StartAsync("alice");
        await using var bob = await TestNode.StartAsync("bob");
        await Task.WhenAll(
            alice.Node.Links.MakeContactAsync(bob.Id, address: bob.Address),
            bob.Node.Links.MakeContactAsync(alice.Id, address: alice.Address));
        await Wait.UntilAsync(() => alice.Node.Links.Session(bob.Id)?.IsOpen == true && bob.Node.Links.Session(alice.Id)?.IsOpen == true);
        await Task.Delay(1500); // any duplicate has been dialed and settled by now
        var atAlice = alice.Node.Links.Session(bob.Id)!.Link;
        var atBob = bob.Node.Links.Session(alice.Id)!.Link;
        Assert.NotEqual(atAlice.Direction, atBob.Direction);
        Assert.Single(alice.Node.Links.Sessions);
        Assert.Single(bob.Node.Links.Sessions);
        await alice.Node.Chat.SendAsync(bob.Id, "one link");
        await Wait.UntilAsync(async () => (await bob.HistoryWith(alice)).Count == 1);
    }

    [Fact]
    public async Task GarbagePeers_AreDropped_OtherLinksKeepWorking()
    {
        await using var alice = await TestNode.StartAsync("alice");
        await using var bob = await TestNode.StartAsync("bob");
        await TestNode.BefriendAsync(alice, bob);
        var random = new Random(3);
        for (var i = 0; i < 20; i++)
        {
            using var tcp = new TcpClient();
            await tcp.ConnectAsync(IPEndPoint.Parse(bob.Address));
            var garbage = new byte[random.Next(1, 4096)];
            random.NextBytes(garbage);
            await tcp.GetStream().WriteAsync(garbage);
        }
        using var stranger = NodeIdentity.CreateEphemeral();
        var evil = await DialAsStrangerAsync(stranger, bob);
        evil.Start((_, _) => ValueTask.CompletedTask);
        evil.TrySend(FrameType.Consent, [7]);
        Assert.Equal(CloseCode.ProtocolError, (await evil.Closed.WaitAsync(Wait.Patience)).Code);

        await alice.Node.Chat.SendAsync(bob.Id, "still here?");
        await Wait.UntilAsync(async () => (await bob.HistoryWith(alice)).Count == 1);
        Assert.True(bob.Node.Links.Session(alice.Id)!.IsOpen);
    }

    [Fact]
    public async Task Dialing_AnAddressWithAnotherDevice_NeverLinks()
    {
        await using var alice = await TestNode.StartAsync("alice");
        await using var bob = await TestNode.StartAsync("bob");
        using var someoneElse = NodeIdentity.CreateEphemeral();
        // alice believes someoneElse is at bob's address: the TLS check must refuse bob.
        await alice.Node.Links.MakeContactAsync(someoneElse.DeviceId, address: bob.Address);
        // Two failed rounds prove alice really dialed bob's address (and came back for more), not that nothing happened.
        await Wait.UntilAsync(() => alice.Node.Links.DialFailures(someoneElse.DeviceId) >= 2, "alice to dial bob's address twice");
        Assert.Null(alice.Node.Links.Session(someoneElse.DeviceId));
        Assert.Null(alice.Node.Links.Session(bob.Id));
    }
}
