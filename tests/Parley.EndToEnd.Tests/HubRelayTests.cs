using System.Text.Json;
using Parley.Testing;

namespace Parley.EndToEnd.Tests;

/// <summary>
/// Nodes A and B reach a hub but not each other: they find each other through the hub, become
/// contacts, chat and send a file over the relay; once a direct route exists, the next link is direct.
/// </summary>
public sealed class HubRelayTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-hubnet-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task NodesThatCannotReachEachOther_ChatAndSendThroughTheRelay_ThenGoDirect()
    {
        using var net = HubTopology.Create();
        await using var hub = await HubProcess.StartAsync(ParleyRunner.InNamespace(net.Hub), Path.Combine(_root, "hub"));
        var invite = hub.Invite;
        var alice = await NodeProcess.StartAsync(ParleyRunner.InNamespace(net.A), Path.Combine(_root, "alice"), "--name", "alice", "--no-discovery", "--hub", invite);
        var bob = await NodeProcess.StartAsync(ParleyRunner.InNamespace(net.B), Path.Combine(_root, "bob"), "--name", "bob", "--no-discovery", "--hub", invite);
        try
        {
            var link = await RelayedPair.BecomeContactsAsync(alice, bob);
            Assert.Equal("relayed", link.GetProperty("link").GetString());
            await RelayedPair.ChatAndSendAFileAsync(alice, bob, _root, "through the hub");

            // A direct route appears; the next link (after bob restarts) goes direct.
            net.AddDirectRoute();
            await bob.DisposeAsync();
            bob = await NodeProcess.StartAsync(ParleyRunner.InNamespace(net.B), Path.Combine(_root, "bob"), "--no-discovery");
            var direct = await Plumbing.Eventually<JsonElement>(async () => RelayedPair.Contact(await alice.CliAsync("peers", "--json"), "bob") is { } c
                && c.GetProperty("online").GetBoolean() ? c : null, "the new link", 60);
            Assert.Equal("direct", direct.GetProperty("link").GetString());
        }
        finally
        {
            await alice.DisposeAsync();
            await bob.DisposeAsync();
        }
    }
}