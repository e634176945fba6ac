using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Core.Identity;
using Parley.Node.Files;
using Parley.Node.Storage;
using Parley.Node.Tests;

namespace Parley.Hub.Tests;

/// <summary>
/// Two nodes whose direct addresses do not work (they listen on 127.0.0.2 and .3, so the addresses the
/// hub observes for them, on 127.0.0.1, are wrong) link through the hub's relay: TLS end to end, consent as
/// usual, chat and files work, and the hub's relay carries none of the plaintext.
/// </summary>
public sealed class RelayTests : HubTestBase
{
    /// <summary>Every byte the relay carried, seen through the hub's tap.</summary>
    private readonly MemoryStream _relayed = new();

    protected override HubOptions Options(int port) => base.Options(port) with { RelayTap = Tap };

    private void Tap(ReadOnlyMemory<byte> chunk)
    {
        lock (_relayed)
        {
            _relayed.Write(chunk.Span);
        }
    }

    [Fact]
    public async Task Unreachable_Contact_IsLinkedThroughTheRelay_ChatAndFilesWork()
    {
        // Alice listens on 127.0.0.3 and bob on 127.0.0.2: the hub sees both at 127.0.0.1, where neither
        // listens, so no direct path (dialed or punched) can replace the relayed link during the test.
        await using var alice = await TestNode.StartAsync("alice", bind: IPAddress.Parse("127.0.0.3"));
        await using var bob = await TestNode.StartAsync("bob", bind: IPAddress.Parse("127.0.0.2"));
        await alice.Node.Hub.JoinAsync(Invite);
        await bob.Node.Hub.JoinAsync(Invite);
        await Wait.UntilAsync(() => alice.Node.Relay.CanRelayTo(bob.Id) && bob.Node.Relay.CanRelayTo(alice.Id), "both on the hub");

        // Alice knows bob only by ID (as from whois): no address, so only the relay can reach him.
        var relayed = _relayed;
        await alice.Node.Links.MakeContactAsync(bob.Id);
        await Wait.UntilAsync(() => bob.Node.Contacts.Find(alice.Id)?.State == PeerState.Request, "alice's request at bob");
        Assert.True(bob.Node.Links.Session(alice.Id)!.Link.Relayed);
        await bob.Node.Links.MakeContactAsync(alice.Id);
        await Wait.UntilAsync(() => alice.Node.Links.Session(bob.Id)?.IsOpen == true, "the relayed link to open");
        Assert.True(alice.Node.Links.Session(bob.Id)!.Link.Relayed);

        const string secret = "the eagle lands at midnight 7f3a";
        var sent = await alice.Node.Chat.SendAsync(bob.Id, secret);
        await Wait.UntilAsync(async () => (await bob.HistoryWith(alice)).Any(m => m.Id == sent.Id), "the message through the relay");

        var work = Directory.CreateTempSubdirectory("parley-relay-files-").FullName;
        try
        {
            var source = Path.Combine(work, "notes.txt");
            await File.WriteAllTextAsync(source, string.Concat(Enumerable.Repeat(secret + "\n", 20_000)));
            var (offer, _) = await alice.Node.Files.OfferAsync(bob.Id, [source]);
            await Wait.UntilAsync(() => bob.Node.Files.All.Any(t => t.Id == offer.Id), "the offer");
            await bob.Node.Files.AcceptAsync(bob.Node.Files.All.Single(t => t.Id == offer.Id), Path.Combine(work, "in"));
            await Wait.UntilAsync(() => offer.State == TransferState.Completed, "the file through the relay");
            Assert.Equal(await File.ReadAllTextAsync(source), await File.ReadAllTextAsync(Path.Combine(work, "in", "notes.txt")));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
        Assert.True(Hub.Relay.BytesRelayed > 400_000, $"relayed {Hub.Relay.BytesRelayed} bytes");
        lock (relayed)
        {
            // Everything the relay carried was TLS: the message and the file's text never show in it.
            Assert.DoesNotContain(secret, Encoding.Latin1.GetString(relayed.ToArray()), StringComparison.Ordinal);
        }
        // The hub's disk holds the directory, never what was said.
        await Hub.DisposeAsync();
        foreach (var file in Directory.EnumerateFiles(HubHome))
        {
            Assert.DoesNotContain(secret, Encoding.UTF8.GetString(await File.ReadAllBytesAsync(file)), StringComparison.Ordinal);
        }
        Hub = StartHub(0);
    }

    [Fact]
    public async Task RelayRequest_ForADeviceNotOnTheHub_IsRefused()
    {
        await using var alice = await TestNode.StartAsync("alice");
        await alice.Node.Hub.JoinAsync(Invite);
        await Wait.UntilAsync(() => alice.Node.Hub.Connected, "alice on the hub");
        using var absent = NodeIdentity.CreateEphemeral();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => alice.Node.Relay.OpenRelayAsync(absent.DeviceId, CancellationToken.None));
        Assert.Contains("is not online at this hub", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownRelayToken_IsDropped()
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Hub.Port));
        await socket.SendAsync((byte[])[.. Core.Hub.Relay.RelayTicket.Preamble, .. new byte[32]]);
        var buffer = new byte[16];
        Assert.Equal(0, await socket.ReceiveAsync(buffer).WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(0, Hub.Relay.ActiveSessions);
    }
}
