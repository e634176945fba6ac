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

    /// <summary>
    /// Starts and links the pair. <paramref name="route"/> gives the address each node dials to reach
    /// a peer port (a delaying proxy, say); by default the port itself on loopback.
    /// </summary>
    public static async Task<BenchNodes> StartAsync(Func<System.Net.IPEndPoint, System.Net.IPEndPoint>? route = null, string? aliceVideos = null)
    {
        route ??= target => target;
        var root = Directory.CreateTempSubdirectory("parley-bench-").FullName;
        var alice = await StartAsync(Path.Combine(root, "a"), "alice", aliceVideos);
        var bob = await StartAsync(Path.Combine(root, "b"), "bob");
        await alice.Links.MakeContactAsync(bob.DeviceId, address: route(new(System.Net.IPAddress.Loopback, bob.PeerPort)).ToString());
        await bob.Links.MakeContactAsync(alice.DeviceId, address: route(new(System.Net.IPAddress.Loopback, alice.PeerPort)).ToString());
        while (alice.Links.Session(bob.DeviceId)?.IsOpen != true)
        {
            await Task.Delay(10);
        }
        return new BenchNodes(root, alice, bob);
    }

    private static Task<ParleyNode> StartAsync(string home, string name, string? videos = null) => ParleyNode.StartAsync(new NodeOptions
    {
        Home = home,
        VideosFolder = videos,
        Name = name,
        PeerPort = 0,
        ApiPort = 0,
        Discovery = false,
        PortMapping = false,
        PeerBindAddress = System.Net.IPAddress.Loopback,
    }, NullLoggerFactory.Instance);

    public async ValueTask DisposeAsync()
    {
        await Alice.StopAsync();
        await Bob.StopAsync();
        Directory.Delete(_root, recursive: true);
    }
}
