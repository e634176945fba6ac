using System.Security.Cryptography;
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

    private static JsonElement? Contact(CliResult peers, string name) => peers.ExitCode != 0 ? null
        : peers.Json.GetProperty("contacts").EnumerateArray().Where(c => c.GetProperty("name").GetString() == name).Select(c => (JsonElement?)c).FirstOrDefault();

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
            var bobId = await Plumbing.Eventually<JsonElement>(async () =>
            {
                var whois = await alice.CliAsync("whois", "bob", "--json");
                return whois.ExitCode == 0 && whois.Json.GetArrayLength() == 1 ? whois.Json[0] : null;
            }, "alice to find bob in the directory");
            Assert.True(bobId.GetProperty("signatureValid").GetBoolean());
            Assert.Equal(0, (await alice.CliAsync("add", bobId.GetProperty("deviceId").GetString()!)).ExitCode);
            await Plumbing.Eventually<bool>(async () => (await bob.CliAsync("requests", "--json")).Json.GetArrayLength() == 1 ? true : null, "alice's request at bob");
            Assert.Equal(0, (await bob.CliAsync("accept", "alice")).ExitCode);
            var link = await Plumbing.Eventually<JsonElement>(async () => Contact(await alice.CliAsync("peers", "--json"), "bob") is { } c
                && c.GetProperty("online").GetBoolean() && c.GetProperty("acceptsUs").GetBoolean() ? c : null, "the link");
            Assert.Equal("relayed", link.GetProperty("link").GetString());

            Assert.Equal(0, (await alice.CliAsync("chat", "bob", "through the hub")).ExitCode);
            await Plumbing.Eventually<bool>(async () => (await bob.CliAsync("history", "alice", "--json")).Json.GetArrayLength() == 1 ? true : null, "the message");

            var file = Path.Combine(_root, "photo.bin");
            await File.WriteAllBytesAsync(file, RandomNumberGenerator.GetBytes(3_000_000));
            Assert.Equal(0, (await bob.CliAsync("auto-accept", "alice", "on")).ExitCode);
            Assert.Equal(0, (await bob.CliAsync("settings", "--download-folder", Path.Combine(_root, "inbox"))).ExitCode);
            var sent = await alice.CliAsync("send", file, "--to", "bob");
            Assert.True(sent.ExitCode == 0, sent.Error);
            Assert.Equal(await File.ReadAllBytesAsync(file), await File.ReadAllBytesAsync(Path.Combine(_root, "inbox", "photo.bin")));

            // A direct route appears; the next link (after bob restarts) goes direct.
            net.AddDirectRoute();
            await bob.DisposeAsync();
            bob = await NodeProcess.StartAsync(ParleyRunner.InNamespace(net.B), Path.Combine(_root, "bob"), "--no-discovery");
            var direct = await Plumbing.Eventually<JsonElement>(async () => Contact(await alice.CliAsync("peers", "--json"), "bob") is { } c
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