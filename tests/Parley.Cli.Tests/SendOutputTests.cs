using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Parley.Testing;

namespace Parley.Cli.Tests;

/// <summary>
/// `parley send` into a pipe (as `parley send … | cat`, or a log file): a progress line every few
/// seconds, no carriage returns or terminal escapes; with --json, one JSON event a line (issue 19).
/// </summary>
public sealed class SendOutputTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-sendout-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private Task<NodeProcess> StartNode(string name) =>
        NodeProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, name), "--port", "0", "--api-port", "0", "--no-discovery", "--name", name);

    private static async Task<string> OfferAtAsync(NodeProcess receiver)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var offers = (await receiver.CliAsync("offers", "--json")).Json;
            if (offers.GetArrayLength() == 1)
            {
                return offers[0].GetProperty("transfer").GetProperty("shortId").GetString()!;
            }
            Assert.True(DateTime.UtcNow < deadline, "the offer never arrived");
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Send_IntoAPipe_ForTenSeconds_PrintsFewLines()
    {
        await using var alice = await StartNode("alice");
        await using var bob = await StartNode("bob");
        await NodeProcess.BefriendAsync(alice, bob);
        var file = Path.Combine(_root, "photo.jpg");
        await File.WriteAllBytesAsync(file, RandomNumberGenerator.GetBytes(2_000_000));

        // The transfer takes ten seconds from the sender's side: bob accepts it only then.
        var clock = Stopwatch.StartNew();
        var send = ParleyRunner.Local.RunAsync("--home", alice.Home, "send", file, "--to", "bob");
        var offer = await OfferAtAsync(bob);
        await Task.Delay(TimeSpan.FromSeconds(10) - clock.Elapsed);
        Assert.Equal(0, (await bob.CliAsync("accept-offer", offer, "--to", Path.Combine(_root, "inbox"))).ExitCode);
        var sent = await send.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(sent.ExitCode == 0, sent.Error + sent.Out);
        var lines = sent.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length < 20, $"{lines.Length} lines:\n{sent.Out}");
        Assert.DoesNotContain('\r', sent.Out);
        Assert.DoesNotContain('\u001b', sent.Out);
        // A line every few seconds (5): about three in ten seconds, and the last state.
        Assert.InRange(lines.Count(l => l.StartsWith('[')), 1, 5);
        Assert.Contains("received and verified", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Send_Json_PrintsOneEventALine()
    {
        await using var alice = await StartNode("alice");
        await using var bob = await StartNode("bob");
        await NodeProcess.BefriendAsync(alice, bob);
        var file = Path.Combine(_root, "notes.txt");
        await File.WriteAllTextAsync(file, "json lines");

        var send = ParleyRunner.Local.RunAsync("--home", alice.Home, "send", file, "--to", "bob", "--json");
        var offer = await OfferAtAsync(bob);
        await Task.Delay(1500); // long enough for a progress event while it waits
        Assert.Equal(0, (await bob.CliAsync("accept-offer", offer, "--to", Path.Combine(_root, "inbox"))).ExitCode);
        var sent = await send.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(sent.ExitCode == 0, sent.Error + sent.Out);
        var events = sent.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal("offered", events[0].GetProperty("event").GetString());
        Assert.Contains(events, e => e.GetProperty("event").GetString() == "progress");
        Assert.Equal("completed", events[^1].GetProperty("event").GetString());
        Assert.Equal("completed", events[^1].GetProperty("transfer").GetProperty("state").GetString());
        Assert.Single(events.Select(e => e.GetProperty("transfer").GetProperty("id").GetString()).Distinct());
    }

    /// <summary>A symbolic link inside a sent folder is not followed and not silently dropped: the sender is told (issue 22).</summary>
    [Fact]
    public async Task Send_FolderWithALinkInside_SaysTheLinkWasSkipped()
    {
        await using var alice = await StartNode("alice");
        await using var bob = await StartNode("bob");
        await NodeProcess.BefriendAsync(alice, bob);
        var folder = Path.Combine(_root, "project");
        Directory.CreateDirectory(Path.Combine(folder, "src"));
        await File.WriteAllTextAsync(Path.Combine(folder, "src", "main.c"), "int main() { return 0; }");
        File.CreateSymbolicLink(Path.Combine(folder, "src", "passwords"), "/etc/passwd");

        var sent = await alice.CliAsync("send", folder, "--to", "bob", "--no-wait");

        Assert.True(sent.ExitCode == 0, sent.Error + sent.Out);
        Assert.Contains($"skipped link: {Path.Combine(folder, "src", "passwords")}", sent.Error, StringComparison.Ordinal);
        Assert.Contains("1 file", sent.Out, StringComparison.Ordinal);
    }
}
