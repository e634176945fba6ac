using Parley.Core.Chat;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Core.Hub.Directory;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Tests;

namespace Parley.Hub.Tests;

/// <summary>A hub and real nodes in this process over loopback.</summary>
public sealed class HubTests : IAsyncLifetime
{
    private readonly string _hubHome = Directory.CreateTempSubdirectory("parley-hub-").FullName;
    private HubServer _hub = null!;

    public Task InitializeAsync()
    {
        _hub = StartHub(0);
        return Task.CompletedTask;
    }

    private HubServer StartHub(int port) => HubServer.Start(new HubOptions
    {
        Home = _hubHome,
        Port = port,
        BindAddress = IPAddress.Loopback,
        RequestsPerSecond = 20,
        RequestBurst = 40,
    }, NullLoggerFactory.Instance);

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        Directory.Delete(_hubHome, recursive: true);
    }

    private string Invite => new Invite(_hub.DeviceId, "hub", [new IPEndPoint(IPAddress.Loopback, _hub.Port)]).ToString();

    private async Task<TestNode> JoinedNodeAsync(string name)
    {
        var node = await TestNode.StartAsync(name);
        await node.Node.Hub.JoinAsync(Invite);
        await Wait.UntilAsync(() => node.Node.Hub.Connected && _hub.Online.Contains(node.Id), $"{name} to join the hub");
        return node;
    }

    [Fact]
    public async Task Members_SeeEachOtherJoinAndLeave_WithLastSeen()
    {
        await using var alice = await JoinedNodeAsync("alice");
        var bob = await JoinedNodeAsync("bob");
        await Wait.UntilAsync(() => alice.Node.HubMembers.Members.Any(m => m.DeviceId == bob.Id && m.Online), "alice to see bob");
        await Wait.UntilAsync(() => bob.Node.HubMembers.Members.Any(m => m.DeviceId == alice.Id && m.Online && m.Name == "alice"), "bob to see alice (snapshot)");
        await bob.DisposeAsync();
        await Wait.UntilAsync(() => alice.Node.HubMembers.Members.Any(m => m.DeviceId == bob.Id && !m.Online), "alice to see bob leave");
        Assert.True(alice.Node.HubMembers.Members.Single(m => m.DeviceId == bob.Id).LastSeen > DateTimeOffset.UtcNow.AddMinutes(-1));
        // Consent still rules: sharing a hub makes no one a contact.
        Assert.Empty(alice.Node.Contacts.All);
    }

    [Fact]
    public async Task Whois_FindsByNameAndId_ChecksSignatures_AndShowsClashes()
    {
        await using var sam1 = await JoinedNodeAsync("sam");
        await using var sam2 = await JoinedNodeAsync("sam");
        await using var asker = await JoinedNodeAsync("asker");
        await Wait.UntilAsync(async () => (await asker.Node.HubDirectory.WhoisAsync("SAM")).Count == 2, "both entries");
        var both = await asker.Node.HubDirectory.WhoisAsync("sam");
        Assert.All(both, a => Assert.True(a.SignatureValid));
        Assert.Equal(new[] { sam1.Id, sam2.Id }.OrderBy(i => i.Compact), both.Select(a => a.DeviceId).OrderBy(i => i.Compact));
        var byId = Assert.Single(await asker.Node.HubDirectory.WhoisAsync(sam1.Id.Compact[..10]));
        Assert.Equal(sam1.Id, byId.DeviceId);
        Assert.True(byId.Online);
    }

    [Fact]
    public async Task ForgedEntryInTheHubStore_IsShownInvalid()
    {
        await using var alice = await JoinedNodeAsync("alice");
        using var victim = NodeIdentity.CreateEphemeral();
        using var mallory = NodeIdentity.CreateEphemeral();
        using var key = AgreementKey.CreateEphemeral();
        // The hub (or whoever controls its disk) swaps in an entry for the victim, signed by someone else.
        var forged = DirectoryEntry.Create(mallory, "victim", key.PublicKey, DateTimeOffset.UtcNow) with
        {
            IdentityKey = victim.Certificate.PublicKey.ExportSubjectPublicKeyInfo(),
        };
        _hub.Directory.PutUnchecked(forged, victim.DeviceId.Compact);
        var answer = Assert.Single(await alice.Node.HubDirectory.WhoisAsync("victim"));
        Assert.Equal(victim.DeviceId, answer.DeviceId);
        Assert.False(answer.SignatureValid);
    }

    private async Task<PeerLink> RawLinkAsync(NodeIdentity identity)
    {
        var link = await new LinkEstablisher(identity, new LinkOptions(), NullLoggerFactory.Instance).ConnectAsync(
            new IPEndPoint(IPAddress.Loopback, _hub.Port), _hub.DeviceId,
            _ => new Hello(Hello.CurrentVersion, identity.DeviceId, 0, 0, HelloFlags.None, "raw"), CancellationToken.None);
        Assert.Equal(HelloCapabilities.Hub, link.RemoteHello.Capabilities & HelloCapabilities.Hub);
        link.Start((_, _) => ValueTask.CompletedTask);
        return link;
    }

    [Fact]
    public async Task EntrySignedForAnotherDevice_ClosesThatLink_OthersKeepWorking()
    {
        await using var alice = await JoinedNodeAsync("alice");
        using var mallory = NodeIdentity.CreateEphemeral();
        using var victim = NodeIdentity.CreateEphemeral();
        using var key = AgreementKey.CreateEphemeral();
        var link = await RawLinkAsync(mallory);
        link.TrySend(FrameType.DirectoryPublish, DirectoryEntry.Create(victim, "victim", key.PublicKey, DateTimeOffset.UtcNow).ToArray());
        var closed = await link.Closed.WaitAsync(Wait.Patience);
        Assert.Equal(CloseCode.ProtocolError, closed.Code);
        Assert.Contains("not signed by the device publishing it", closed.Reason, StringComparison.Ordinal);
        Assert.Empty(await alice.Node.HubDirectory.WhoisAsync("victim"));
        Assert.True(alice.Node.Hub.Connected);
    }

    [Fact]
    public async Task ChatFrame_ToTheHub_IsRefusedWithReason()
    {
        using var node = NodeIdentity.CreateEphemeral();
        var link = await RawLinkAsync(node);
        link.TrySend(FrameType.ChatMessage, new ChatMessage(Guid.NewGuid(), DateTimeOffset.UtcNow, "hi hub").ToArray());
        var closed = await link.Closed.WaitAsync(Wait.Patience);
        // The hub's links read only the frames its features take, so the reader refuses it before any handler runs.
        Assert.Equal(CloseCode.ProtocolError, closed.Code);
        Assert.Contains("unknown frame type 0x10", closed.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhoisFlood_IsRateLimited()
    {
        using var node = NodeIdentity.CreateEphemeral();
        var link = await RawLinkAsync(node);
        for (uint i = 0; i < 500 && !link.IsClosed; i++)
        {
            link.TrySend(FrameType.WhoisQuery, new WhoisQuery(i, "anyone").ToArray());
        }
        var closed = await link.Closed.WaitAsync(Wait.Patience);
        Assert.Contains("too many requests", closed.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HubRestart_NodesReconnectByThemselves()
    {
        await using var alice = await JoinedNodeAsync("alice");
        var port = _hub.Port;
        await _hub.DisposeAsync();
        await Wait.UntilAsync(() => !alice.Node.Hub.Connected, "alice to notice");
        _hub = StartHub(port);
        await Wait.UntilAsync(() => alice.Node.Hub.Connected && _hub.Online.Contains(alice.Id), "alice to reconnect");
    }

    [Fact]
    public async Task HubWithAnotherId_AtTheInviteAddress_IsRefused()
    {
        await using var alice = await TestNode.StartAsync("alice");
        using var impostor = NodeIdentity.CreateEphemeral();
        await alice.Node.Hub.JoinAsync(new Invite(impostor.DeviceId, "hub", [new IPEndPoint(IPAddress.Loopback, _hub.Port)]).ToString());
        // The address answers, with the real hub's certificate: alice dials it (again, after backoff) and refuses it each time.
        await Wait.UntilAsync(() => alice.Node.Hub.FailedDials >= 2, "alice to dial the invite's address twice");
        Assert.Contains("device ID mismatch", alice.Node.Hub.LastDialFailure, StringComparison.Ordinal);
        Assert.Contains(impostor.DeviceId.Short, alice.Node.Hub.LastDialFailure, StringComparison.Ordinal);
        Assert.False(alice.Node.Hub.Connected);
        Assert.DoesNotContain(alice.Id, _hub.Online);
    }
}
