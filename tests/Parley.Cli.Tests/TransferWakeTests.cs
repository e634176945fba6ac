using Parley.Testing;

namespace Parley.Cli.Tests;

/// <summary>
/// `parley send` waits on the node's event stream for its transfer's end instead of only polling: a wake comes the
/// moment the transfer ends (here, cancelled), and not before.
/// </summary>
public sealed class TransferWakeTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-wake-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private Task<NodeProcess> StartNode(string name) =>
        NodeProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, name), "--port", "0", "--api-port", "0", "--no-discovery", "--name", name);

    [Fact]
    public async Task Wake_ComesWhenTheTransferEnds_NotBefore()
    {
        await using var alice = await StartNode("alice");
        await using var bob = await StartNode("bob");
        await NodeProcess.BefriendAsync(alice, bob);
        var file = Path.Combine(_root, "photo.jpg");
        await File.WriteAllBytesAsync(file, new byte[1000]);
        var offered = (await alice.CliAsync("send", file, "--to", "bob", "--no-wait", "--json")).Json;
        var id = offered.GetProperty("id").GetString()!;
        using var api = ApiClient.Open(alice.Home);
        using var wake = await TransferWake.StartAsync(api, id);

        Assert.False(await wake.WaitAsync(TimeSpan.FromMilliseconds(500)), "woke while the offer still waits");
        Assert.Equal(0, (await alice.CliAsync("cancel", id[..8])).ExitCode);
        Assert.True(await wake.WaitAsync(TimeSpan.FromSeconds(10)), "no wake when the transfer was cancelled");
    }
}
