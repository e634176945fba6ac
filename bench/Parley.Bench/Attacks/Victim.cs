using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Core.Identity;
using Parley.Node;
using Parley.Testing;

namespace Parley.Bench.Attacks;

/// <summary>
/// What an attack is aimed at: a real `parley up` process (bob) or a real `parley hub` process, and
/// alice in this process, a legitimate contact (or hub member) whose round trips are timed while it
/// goes on. Its memory and CPU are read from /proc.
/// </summary>
internal sealed class Victim : IAsyncDisposable
{
    private readonly string _root;
    private readonly IAsyncDisposable _process;

    private Victim(string root, IAsyncDisposable process, int pid, IPEndPoint endpoint, DeviceId id, ParleyNode alice, Func<Task> roundTrip)
    {
        _root = root;
        _process = process;
        Pid = pid;
        Endpoint = endpoint;
        Id = id;
        Alice = alice;
        RoundTrip = roundTrip;
    }

    public int Pid { get; }

    /// <summary>Where the victim takes peer (or member) connections.</summary>
    public IPEndPoint Endpoint { get; }

    public DeviceId Id { get; }

    public ParleyNode Alice { get; }

    /// <summary>One legitimate exchange: a chat message to the node until its ack is back, or a directory lookup at the hub.</summary>
    public Func<Task> RoundTrip { get; }

    /// <summary>The node process, for attacks that need a contact (it adds the attacker's identity) or a shared folder.</summary>
    public NodeProcess? Node => _process as NodeProcess;

    /// <summary>bob as a `parley up` process sharing a folder of (dummy) videos, alice in this process as his contact.</summary>
    public static async Task<Victim> NodeAsync()
    {
        var root = Directory.CreateTempSubdirectory("parley-attack-").FullName;
        var videos = Directory.CreateDirectory(Path.Combine(root, "videos")).FullName;
        for (var i = 0; i < 200; i++)
        {
            await File.WriteAllBytesAsync(Path.Combine(videos, $"holiday clip {i:000}_480p.mp4"), new byte[1024]);
        }
        var bob = await NodeProcess.StartAsync(ParleyRunner.Local, Path.Combine(root, "bob"), "--name", "bob", "--port", "0", "--api-port", "0",
            "--no-discovery", "--videos", videos, "--normal-priority");
        var status = await bob.StatusAsync();
        var bobId = DeviceId.Parse(status.GetProperty("deviceId").GetString()!);
        var endpoint = new IPEndPoint(IPAddress.Loopback, status.GetProperty("peerPort").GetInt32());
        var alice = await StartAliceAsync(Path.Combine(root, "alice"), null);
        await alice.Links.MakeContactAsync(bobId, "bob", endpoint.ToString());
        await bob.CliAsync("add", alice.DeviceId.ToString());
        await Until(() => alice.Links.Session(bobId)?.IsOpen == true, "alice and bob to link");
        return new Victim(root, bob, bob.Process.Id, endpoint, bobId, alice, () => ChatRoundTripAsync(alice, bobId));
    }

    /// <summary>A `parley hub` process, alice in this process as a member; her round trip is a directory lookup of herself.</summary>
    public static async Task<Victim> HubAsync()
    {
        var root = Directory.CreateTempSubdirectory("parley-attack-").FullName;
        var hub = await HubProcess.StartAsync(ParleyRunner.Local, Path.Combine(root, "hub"), "--port", "0");
        Invite.TryParse(hub.Invite, out var invite, out _);
        var alice = await StartAliceAsync(Path.Combine(root, "alice"), hub.Invite);
        var lookup = alice.HubDirectory;
        await Until(() => alice.Hub.Connected, "alice to join the hub");
        return new Victim(root, hub, hub.Pid, invite!.Addresses[0], invite.DeviceId, alice,
            async () => await lookup.WhoisAsync(alice.DeviceId.Compact));
    }

    private static Task<ParleyNode> StartAliceAsync(string home, string? hub) => ParleyNode.StartAsync(new NodeOptions
    {
        Home = home,
        Name = "alice",
        PeerPort = 0,
        ApiPort = 0,
        Discovery = false,
        PortMapping = false,
        PeerBindAddress = IPAddress.Loopback,
        HubInvite = hub,
    }, NullLoggerFactory.Instance);

    private static async Task ChatRoundTripAsync(ParleyNode alice, DeviceId bob)
    {
        var delivered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Guid? id = null;
        void OnDelivered(Guid done)
        {
            if (done == id)
            {
                delivered.TrySetResult();
            }
        }
        alice.Chat.Delivered += OnDelivered;
        try
        {
            id = (await alice.Chat.SendAsync(bob, "are you there?")).Id;
            await delivered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            alice.Chat.Delivered -= OnDelivered;
        }
    }

    private static async Task Until(Func<bool> condition, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException("timed out waiting for " + what);
            }
            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Alice.StopAsync();
        await _process.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }
}
