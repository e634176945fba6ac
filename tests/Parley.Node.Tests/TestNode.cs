using Microsoft.Extensions.Logging.Abstractions;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Node.Storage;

namespace Parley.Node.Tests;

/// <summary>A real node in this process: temporary home, loopback, ports picked by the OS, no discovery.</summary>
internal sealed class TestNode : IAsyncDisposable
{
    private TestNode(ParleyNode node, string home, bool ownsHome)
    {
        Node = node;
        Home = home;
        _ownsHome = ownsHome;
    }

    private readonly bool _ownsHome;

    public ParleyNode Node { get; private set; }

    public string Home { get; }

    public DeviceId Id => Node.DeviceId;

    public string Address => $"{Node.Options.PeerBindAddress}:{Node.PeerPort}";

    public static async Task<TestNode> StartAsync(string name, string? home = null, int peerPort = 0, System.Net.IPAddress? bind = null, bool mediaOverUdp = true)
    {
        var ownsHome = home is null;
        home ??= Directory.CreateTempSubdirectory("parley-node-").FullName;
        var node = await ParleyNode.StartAsync(Options(home, name, peerPort, bind, mediaOverUdp), NullLoggerFactory.Instance);
        return new TestNode(node, home, ownsHome);
    }

    private static NodeOptions Options(string home, string name, int peerPort, System.Net.IPAddress? bind = null, bool mediaOverUdp = true) => new()
    {
        MediaOverUdp = mediaOverUdp,
        Home = home,
        Name = name,
        PeerPort = peerPort,
        PeerBindAddress = bind ?? System.Net.IPAddress.Loopback,
        ApiPort = 0,
        Discovery = false,
        PortMapping = false,
        ReconnectDelay = TimeSpan.FromMilliseconds(100),
        MaxReconnectDelay = TimeSpan.FromSeconds(1),
        Link = new LinkOptions(),
    };

    /// <summary>Stops the node and starts it again on the same home and peer port; returns the stopped one (its counters stay readable).</summary>
    public async Task<ParleyNode> RestartAsync()
    {
        var old = Node;
        await old.StopAsync();
        Node = await ParleyNode.StartAsync(Options(Home, old.Name, old.PeerPort), NullLoggerFactory.Instance);
        return old;
    }

    public async ValueTask DisposeAsync()
    {
        await Node.StopAsync();
        if (_ownsHome)
        {
            Directory.Delete(Home, recursive: true);
        }
    }

    /// <summary>Both nodes add each other, as two people exchanging device IDs would.</summary>
    public static async Task BefriendAsync(TestNode a, TestNode b)
    {
        await a.Node.Links.MakeContactAsync(b.Id, address: b.Address);
        await b.Node.Links.MakeContactAsync(a.Id, address: a.Address);
        await Wait.UntilAsync(() => a.Node.Links.Session(b.Id)?.IsOpen == true && b.Node.Links.Session(a.Id)?.IsOpen == true);
    }

    public async Task<IReadOnlyList<MessageRecord>> HistoryWith(TestNode other) => await Node.Chat.HistoryAsync(other.Id, 1000);
}

/// <summary>Alice and bob, started and made contacts before each test, stopped after it.</summary>
public abstract class TwoContacts : IAsyncLifetime
{
    internal TestNode Alice { get; private set; } = null!;

    internal TestNode Bob { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        Alice = await TestNode.StartAsync("alice");
        Bob = await TestNode.StartAsync("bob");
        await TestNode.BefriendAsync(Alice, Bob);
    }

    public virtual async Task DisposeAsync()
    {
        await Bob.DisposeAsync();
        await Alice.DisposeAsync();
    }
}

internal static class Wait
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    public static async Task UntilAsync(Func<bool> condition, string? what = null)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting" + (what is null ? "" : " for " + what));
            await Task.Delay(20);
        }
    }

    public static async Task UntilAsync(Func<Task<bool>> condition, string? what = null)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting" + (what is null ? "" : " for " + what));
            await Task.Delay(20);
        }
    }
}
