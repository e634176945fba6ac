using Parley.Testing;

namespace Parley.Cli.Tests;

/// <summary>Invite-only rooms with separate <c>parley</c> processes: the owner invites by name, the invitee joins, a stranger is refused.</summary>
public sealed class RoomProcessMembershipTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-roomcli-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private Task<NodeProcess> NodeAsync(string name, string invite) => NodeProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, name),
        "--port", "0", "--api-port", "0", "--no-discovery", "--name", name, "--hub", invite);

    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task OwnerInvitesBob_BobJoinsAndReads_CarolUninvitedIsRefused_ThenJoinsByLink()
    {
        await using var hub = await HubProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, "hub"), "--port", "0");
        await using var alice = await NodeAsync("alice", hub.Invite);
        await using var bob = await NodeAsync("bob", hub.Invite);
        await using var carol = await NodeAsync("carol", hub.Invite);
        await UntilAsync(async () => (await alice.CliAsync("whois", "bob")).Out.Contains("signature valid", StringComparison.Ordinal), "bob in the directory");

        var created = await alice.CliAsync("room", "create", "team");
        Assert.True(created.ExitCode == 0, created.Error);
        var invited = await alice.CliAsync("room", "invite", "#team", "bob");
        Assert.True(invited.ExitCode == 0, invited.Error);
        Assert.Contains("invited bob", invited.Out, StringComparison.Ordinal);
        var joined = await bob.CliAsync("room", "join", "#team");
        Assert.True(joined.ExitCode == 0, joined.Error);

        var refused = await carol.CliAsync("room", "join", "#team");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("#team is invite-only: ask an owner for an invite", refused.Error, StringComparison.Ordinal);
        var rooms = await carol.CliAsync("rooms");
        Assert.Contains("invite-only", rooms.Out, StringComparison.Ordinal);

        await UntilAsync(async () =>
        {
            await alice.CliAsync("chat", "#team", "hello bob 4f2a");
            return (await bob.CliAsync("history", "#team", "--json")).Out.Contains("hello bob 4f2a", StringComparison.Ordinal);
        }, "bob to read alice: " + (await bob.CliAsync("history", "#team")).Out + "\nALICE:\n" + alice.Output + "\nBOB:\n" + bob.Output);

        var info = await alice.CliAsync("room", "info", "#team", "--json");
        Assert.True(info.Json.GetProperty("iAmOwner").GetBoolean());
        Assert.Equal(2, info.Json.GetProperty("members").GetArrayLength());

        // A join link, pasted on carol's command line.
        var link = (await alice.CliAsync("room", "invite", "#team", "--link", "--json")).Json.GetProperty("link").GetString()!;
        var byLink = await carol.CliAsync("room", "join", link);
        Assert.True(byLink.ExitCode == 0, byLink.Error);
        Assert.Contains("joined #team", byLink.Out, StringComparison.Ordinal);
        var topic = await alice.CliAsync("room", "topic", "#team", "friday", "plans");
        Assert.True(topic.ExitCode == 0, topic.Error);
        Assert.Contains("topic: friday plans", topic.Out, StringComparison.Ordinal);
        await UntilAsync(async () => (await carol.CliAsync("room", "info", "#team")).Out.Contains("topic: friday plans", StringComparison.Ordinal), "carol to see the topic");
    }
}
