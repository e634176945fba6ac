using System.Security.Cryptography;
using System.Text.Json;
using Parley.Testing;

namespace Parley.EndToEnd.Tests;

/// <summary>What the relay tests do with two nodes that reach a hub but not each other: become contacts, then chat and send a file.</summary>
internal static class RelayedPair
{
    public static JsonElement? Contact(CliResult peers, string name) => peers.ExitCode != 0 ? null
        : peers.Json.GetProperty("contacts").EnumerateArray().Where(c => c.GetProperty("name").GetString() == name).Select(c => (JsonElement?)c).FirstOrDefault();

    /// <summary>Alice finds bob online in the directory and adds him, bob accepts: their link, as alice sees it.</summary>
    public static async Task<JsonElement> BecomeContactsAsync(NodeProcess alice, NodeProcess bob)
    {
        var bobId = await Plumbing.Eventually<JsonElement>(async () =>
        {
            var whois = await alice.CliAsync("whois", "bob", "--json");
            return whois.ExitCode == 0 && whois.Json.GetArrayLength() == 1 && whois.Json[0].GetProperty("online").GetBoolean() ? whois.Json[0] : null;
        }, "alice to find bob online in the directory");
        Assert.True(bobId.GetProperty("signatureValid").GetBoolean());
        Assert.Equal(0, (await alice.CliAsync("add", bobId.GetProperty("deviceId").GetString()!)).ExitCode);
        await Plumbing.Eventually<bool>(async () => (await bob.CliAsync("requests", "--json")).Json.GetArrayLength() == 1 ? true : null, "alice's request at bob");
        Assert.Equal(0, (await bob.CliAsync("accept", "alice")).ExitCode);
        return await Plumbing.Eventually<JsonElement>(async () => Contact(await alice.CliAsync("peers", "--json"), "bob") is { } c
            && c.GetProperty("online").GetBoolean() && c.GetProperty("acceptsUs").GetBoolean() ? c : null, "the link");
    }

    /// <summary>A message and a 3 MB file from alice reach bob intact.</summary>
    public static async Task ChatAndSendAFileAsync(NodeProcess alice, NodeProcess bob, string folder, string text)
    {
        Assert.Equal(0, (await alice.CliAsync("chat", "bob", text)).ExitCode);
        await Plumbing.Eventually<bool>(async () => (await bob.CliAsync("history", "alice", "--json")).Json.GetArrayLength() == 1 ? true : null, "the message");

        var file = Path.Combine(folder, "photo.bin");
        await File.WriteAllBytesAsync(file, RandomNumberGenerator.GetBytes(3_000_000));
        Assert.Equal(0, (await bob.CliAsync("auto-accept", "alice", "on")).ExitCode);
        Assert.Equal(0, (await bob.CliAsync("settings", "--download-folder", Path.Combine(folder, "inbox"))).ExitCode);
        var sent = await alice.CliAsync("send", file, "--to", "bob");
        Assert.True(sent.ExitCode == 0, sent.Error);
        Assert.Equal(await File.ReadAllBytesAsync(file), await File.ReadAllBytesAsync(Path.Combine(folder, "inbox", "photo.bin")));
    }
}
