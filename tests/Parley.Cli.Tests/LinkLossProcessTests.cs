using System.Diagnostics;
using System.Text.Json;
using Parley.Testing;

namespace Parley.Cli.Tests;

/// <summary>
/// A peer whose machine stops answering (frozen with SIGSTOP: its sockets stay open, nothing comes
/// back, as when its network drops without a reset): the link is noticed dead within seconds and
/// what was written to it but never acknowledged goes to the hub's mailbox, so the peer gets it when
/// it is back, without the sender having to be there.
/// </summary>
public sealed class LinkLossProcessTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-loss-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static string? StateOf(CliResult history, string text) =>
        history.Json.EnumerateArray().Where(m => m.GetProperty("text").GetString() == text).Select(m => m.GetProperty("state").GetString()).FirstOrDefault();

    [Fact]
    public async Task PeerThatStopsAnswering_IsNoticedWithinSeconds_AndItsUnacknowledgedMessagesGoToTheMailbox()
    {
        await using var hub = await HubProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, "hub"), "--port", "0");
        await using var alice = await NodeProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, "alice"),
            "--port", "0", "--api-port", "0", "--no-discovery", "--name", "alice", "--hub", hub.Invite);
        await using var bob = await NodeProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, "bob"),
            "--port", "0", "--api-port", "0", "--no-discovery", "--name", "bob", "--hub", hub.Invite);
        await NodeProcess.BefriendAsync(alice, bob);
        var bobId = (await bob.StatusAsync()).GetProperty("deviceId").GetString()!;
        Assert.Equal(0, (await alice.CliAsync("chat", bobId, "before the outage")).ExitCode);

        Process.Start("kill", ["-STOP", bob.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        try
        {
            var sent = Stopwatch.StartNew();
            Assert.Equal(0, (await alice.CliAsync("chat", bobId, "during the outage")).ExitCode);
            // The link goes quiet: 12 s to call it dead (and for the hub to see bob gone), then the mailbox.
            while (StateOf(await alice.CliAsync("history", bobId, "--json"), "during the outage") != "mailed")
            {
                Assert.True(sent.Elapsed < TimeSpan.FromSeconds(30), "the unacknowledged message never went to the mailbox");
                await Task.Delay(250);
            }
            Assert.True(sent.Elapsed < TimeSpan.FromSeconds(25), $"mailed only after {sent.Elapsed.TotalSeconds:0.0} s");
        }
        finally
        {
            Process.Start("kill", ["-CONT", bob.Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        }
        var aliceId = (await alice.StatusAsync()).GetProperty("deviceId").GetString()!;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(40);
        while (StateOf(await bob.CliAsync("history", aliceId, "--json"), "during the outage") is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "bob never got the message after coming back");
            await Task.Delay(250);
        }
        Assert.Equal(JsonValueKind.Array, (await bob.CliAsync("history", aliceId, "--json")).Json.ValueKind);
    }
}
