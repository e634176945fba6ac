using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Core.Identity;
using Parley.Node.Tests;

namespace Parley.Hub.Tests;

/// <summary>A hub on loopback with a temporary home for each test, and real nodes that join it.</summary>
public abstract class HubTestBase : IAsyncLifetime
{
    protected string HubHome { get; } = Directory.CreateTempSubdirectory("parley-hub-").FullName;

    protected HubServer Hub { get; set; } = null!;

    /// <summary>Options for the hub; a test class may set quotas or limits.</summary>
    protected virtual HubOptions Options(int port) => new() { Home = HubHome, Port = port, BindAddress = IPAddress.Loopback, UdpRelayAllowsLoopback = true };

    public Task InitializeAsync()
    {
        Hub = StartHub(0);
        return Task.CompletedTask;
    }

    protected HubServer StartHub(int port) => HubServer.Start(Options(port), NullLoggerFactory.Instance);

    public async Task DisposeAsync()
    {
        await Hub.DisposeAsync();
        Directory.Delete(HubHome, recursive: true);
    }

    protected string Invite => new Invite(Hub.DeviceId, "hub", [new IPEndPoint(IPAddress.Loopback, Hub.Port)]).ToString();

    /// <summary>Starts a node (on a fresh home unless given) and waits until it is a member of the hub.</summary>
    private protected async Task<TestNode> OnHubAsync(string name, string? home = null, IPAddress? bind = null)
    {
        var node = await TestNode.StartAsync(name, home, bind: bind);
        await node.Node.Hub.JoinAsync(Invite);
        await Wait.UntilAsync(() => node.Node.Hub.Connected && Hub.Online.Contains(node.Id), name + " on the hub");
        return node;
    }

    /// <summary><paramref name="owner"/> creates #team and each of <paramref name="members"/> is invited and joins.</summary>
    private protected static async Task TeamOfAsync(TestNode owner, params TestNode[] members)
    {
        await owner.Node.Rooms.CreateAsync("team");
        foreach (var member in members)
        {
            await owner.Node.Get<Parley.Node.Rooms.RoomOwnership>().InviteAsync("team", member.Id.ToString());
            await member.Node.Rooms.JoinAsync("team");
        }
    }

    /// <summary>A contact of <paramref name="node"/>'s ("bob") who was on the hub and has gone: what the node sends him goes to the mailbox.</summary>
    private protected async Task<DeviceId> OfflineContactOfAsync(TestNode node)
    {
        var bob = await OnHubAsync("bob");
        await TestNode.BefriendAsync(node, bob);
        await bob.DisposeAsync();
        await Wait.UntilAsync(() => !node.Node.Relay.CanRelayTo(bob.Id), "bob gone");
        return bob.Id;
    }
}
