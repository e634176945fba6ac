using System.Text.Json;
using Parley.Testing;

namespace Parley.EndToEnd.Tests;

/// <summary>
/// Two machines on one LAN, simulated by two network namespaces and a veth pair: they find each
/// other by discovery alone, accept each other and chat, and nobody types an address.
/// </summary>
public sealed class LanDiscoveryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-e2e-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static async Task<JsonElement> EventuallyAsync(Func<Task<JsonElement?>> probe, string what, int seconds = 20)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for " + what);
            await Task.Delay(250);
        }
    }

    private static JsonElement? Find(JsonElement list, string name) =>
        list.EnumerateArray().Where(p => p.GetProperty("name").GetString() == name).Select(p => (JsonElement?)p).FirstOrDefault();

    [Fact]
    public async Task TwoNodes_OnAVethLan_FindEachOther_AcceptAndChat_WithoutAnyAddress()
    {
        using var lan = NetworkNamespaces.Create();
        await using var alice = await NodeProcess.StartAsync(ParleyRunner.InNamespace(lan.A), Path.Combine(_root, "alice"), "--name", "alice");
        await using var bob = await NodeProcess.StartAsync(ParleyRunner.InNamespace(lan.B), Path.Combine(_root, "bob"), "--name", "bob");

        var heardAlice = await EventuallyAsync(async () => Find((await bob.CliAsync("peers", "--json")).Json.GetProperty("nearby"), "alice"), "bob to hear alice");
        Assert.Equal($"{lan.AddressA}:47800", heardAlice.GetProperty("address").GetString());
        await EventuallyAsync(async () => Find((await alice.CliAsync("peers", "--json")).Json.GetProperty("nearby"), "bob"), "alice to hear bob");

        var added = await bob.CliAsync("add", "alice");
        Assert.True(added.ExitCode == 0, added.Error);
        await EventuallyAsync(async () => Find((await alice.CliAsync("requests", "--json")).Json, "bob"), "bob's request at alice");
        var accepted = await alice.CliAsync("accept", "bob");
        Assert.True(accepted.ExitCode == 0, accepted.Error);

        Assert.Equal(0, (await alice.CliAsync("chat", "bob", "found you on the LAN")).ExitCode);
        var received = await EventuallyAsync(async () =>
        {
            var history = (await bob.CliAsync("history", "alice", "--json")).Json;
            return history.GetArrayLength() == 1 ? history[0] : null;
        }, "the message at bob");
        Assert.Equal("found you on the LAN", received.GetProperty("text").GetString());
        await EventuallyAsync(async () =>
        {
            var history = (await alice.CliAsync("history", "bob", "--json")).Json;
            return history[0].GetProperty("state").GetString() == "delivered" ? history : null;
        }, "the delivery tick at alice");
    }

    [Fact]
    public async Task NoDiscovery_NodeIsNeitherHeardNorHearing()
    {
        using var lan = NetworkNamespaces.Create();
        await using var quiet = await NodeProcess.StartAsync(ParleyRunner.InNamespace(lan.A), Path.Combine(_root, "quiet"), "--name", "quiet", "--no-discovery");
        await using var loud = await NodeProcess.StartAsync(ParleyRunner.InNamespace(lan.B), Path.Combine(_root, "loud"), "--name", "loud");
        // A node announces at once on start and every 5 s: 6 s covers both.
        await Task.Delay(TimeSpan.FromSeconds(6));
        Assert.Equal(0, (await loud.CliAsync("peers", "--json")).Json.GetProperty("nearby").GetArrayLength());
        Assert.Equal(0, (await quiet.CliAsync("peers", "--json")).Json.GetProperty("nearby").GetArrayLength());
        Assert.False((await quiet.CliAsync("status", "--json")).Json.GetProperty("discovery").GetBoolean());
    }
}
