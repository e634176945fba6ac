using Microsoft.Extensions.Logging.Abstractions;
using Parley.Node;

namespace Parley.Bench;

/// <summary>Two linked contacts in this process on loopback, with temporary homes.</summary>
internal sealed class BenchNodes : IAsyncDisposable
{
    private readonly string _root;

    private BenchNodes(string root, ParleyNode alice, ParleyNode bob)
    {
        _root = root;
        Alice = alice;
        Bob = bob;
    }

    public ParleyNode Alice { get; }

    public ParleyNode Bob { get; }

    public string Root => _root;

    public static async Task<BenchNodes> StartAsync()
    {
        var root = Directory.CreateTempSubdirectory("parley-bench-").FullName;
        var alice = await StartAsync(Path.Combine(root, "a"), "alice");
        var bob = await StartAsync(Path.Combine(root, "b"), "bob");
        await alice.Links.MakeContactAsync(bob.DeviceId, address: $"127.0.0.1:{bob.PeerPort}");
        await bob.Links.MakeContactAsync(alice.DeviceId, address: $"127.0.0.1:{alice.PeerPort}");
        while (alice.Links.Session(bob.DeviceId)?.IsOpen != true)
        {
            await Task.Delay(10);
        }
        return new BenchNodes(root, alice, bob);
    }

    private static Task<ParleyNode> StartAsync(string home, string name) => ParleyNode.StartAsync(new NodeOptions
    {
        Home = home,
        Name = name,
        PeerPort = 0,
        ApiPort = 0,
        Discovery = false,
        PeerBindAddress = System.Net.IPAddress.Loopback,
    }, NullLoggerFactory.Instance);

    public async ValueTask DisposeAsync()
    {
        await Alice.StopAsync();
        await Bob.StopAsync();
        Directory.Delete(_root, recursive: true);
    }
}
