using Parley.Testing;

namespace Parley.Cli.Tests;

/// <summary>`parley hub` as a process, and nodes that join it from the command line.</summary>
public sealed class HubProcessTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-hubcli-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Hub_PrintsInvite_NodesJoinWithIt_SeeEachOther_AndWhoisChecksSignatures()
    {
        var hubHome = Path.Combine(_root, "hub");
        await using var hub = await HubProcess.StartAsync(ParleyRunner.Local, hubHome, "--port", "0");
        var invite = hub.Invite;
        Assert.Equal(invite, (await ParleyRunner.Local.RunAsync("--home", hubHome, "hub", "invite")).Out.Trim());

        await using var alice = await NodeProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, "alice"),
            "--port", "0", "--api-port", "0", "--no-discovery", "--name", "alice", "--hub", invite);
        await using var bob = await NodeProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, "bob"),
            "--port", "0", "--api-port", "0", "--no-discovery", "--name", "bob");
        Assert.Equal(0, (await bob.CliAsync("hub-join", invite)).ExitCode);

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!(await alice.CliAsync("peers")).Out.Contains("on the hub:", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "alice never saw bob on the hub");
            await Task.Delay(200);
        }
        var whois = await alice.CliAsync("whois", "bob");
        Assert.True(whois.ExitCode == 0, whois.Error);
        Assert.Contains("signature valid", whois.Out, StringComparison.Ordinal);
        Assert.Empty((await alice.CliAsync("peers", "--json")).Json.GetProperty("contacts").EnumerateArray());
    }

    [Fact]
    public async Task Hub_WithPublicAddress_PutsItFirstInTheInvite_AndHubInviteRemembersIt()
    {
        var hubHome = Path.Combine(_root, "hub");
        await using (var hub = await HubProcess.StartAsync(ParleyRunner.Local, hubHome, "--port", "0", "--public-address", "203.0.113.7"))
        {
            Assert.Contains("addr=203.0.113.7:", hub.Invite, StringComparison.Ordinal);
            Assert.Equal(hub.Invite, (await ParleyRunner.Local.RunAsync("--home", hubHome, "hub", "invite")).Out.Trim());
        }
        var wrong = await ParleyRunner.Local.RunAsync("--home", Path.Combine(_root, "other"), "hub", "--port", "0", "--public-address", "example.org");
        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Contains("--public-address is an IPv4 address", wrong.Error, StringComparison.Ordinal);
    }
}
