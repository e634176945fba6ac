using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Hub;

namespace Parley.Bench;

/// <summary>
/// The hub as a real process: memory per idle connected node, then a room of many members driven
/// from this process (each member a real TLS link), measuring deliveries a second and delivery
/// latency; then a file sent directly against the same file through the hub's relay.
/// </summary>
internal static class HubBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var members = args.SkipWhile(a => a != "--members").Skip(1).FirstOrDefault() is { } n ? int.Parse(n, System.Globalization.CultureInfo.InvariantCulture) : 200;
        // --cluster: the same hub as one of a cluster (a nats-server beside it), to see what sharing presence costs it.
        await using var nats = args.Contains("--cluster") ? await Parley.Testing.NatsServers.StartAsync(1) : null;
        var home = Directory.CreateTempSubdirectory("parley-hubbench-").FullName;
        string[] cluster = nats is null ? [] : ["--cluster", nats.Urls, "--identity", Path.Combine(home, "cluster-identity.pem")];
        var info = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "parley.dll"), "--home", home, "hub", "--port", "0", .. cluster]) { RedirectStandardOutput = true };
        using var hub = Process.Start(info)!;
        try
        {
            var port = 0;
            var invite = "";
            while (await hub.StandardOutput.ReadLineAsync() is { } line && line != "ready")
            {
                var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                port = parts is ["port", var p] ? int.Parse(p, System.Globalization.CultureInfo.InvariantCulture) : port;
                invite = parts is ["invite", var i] ? i : invite;
            }
            _ = hub.StandardOutput.ReadToEndAsync();
            Invite.TryParse(invite, out var hubInvite, out _);
            await Task.Delay(1000);
            var before = Proc.RssKiB(hub.Id);
            var clients = await ConnectAsync(members, port, hubInvite!.DeviceId);
            await Task.Delay(3000);
            GC.Collect();
            var after = Proc.RssKiB(hub.Id);
            Console.WriteLine($"{(nats is null ? "single" : "cluster")} hub resident memory: {before / 1024.0:0.0} MiB idle, {after / 1024.0:0.0} MiB with {members} idle linked nodes: {(after - before) / (double)members:0.0} KiB a node");
            await RoomAsync(clients);
            foreach (var client in clients)
            {
                await client.Link.DisposeAsync();
            }
        }
        finally
        {
            hub.Kill();
            await hub.WaitForExitAsync();
            Directory.Delete(home, recursive: true);
        }
        await RelayAsync();
        return 0;
    }

    /// <summary>Managed memory a linked idle node costs a hub, measured in this process (GC heap after full collections).</summary>
    public static async Task ManagedPerLinkAsync(int count)
    {
        var home = Directory.CreateTempSubdirectory("parley-hubmem-").FullName;
        await using var hub = HubServer.Start(new HubOptions { Home = home, Port = 0, BindAddress = IPAddress.Loopback }, NullLoggerFactory.Instance);
        var clients = await ConnectAsync(10, hub.Port, hub.DeviceId); // warm up
        await Task.Delay(500);
        var before = Settle();
        clients.AddRange(await ConnectAsync(count, hub.Port, hub.DeviceId));
        await Task.Delay(2000);
        var after = Settle();
        // Both ends of each link live in this process; the hub's end is about half.
        Console.WriteLine($"managed heap per link, both ends: {(after - before) / 1024.0 / count:0.0} KiB");
        foreach (var client in clients)
        {
            await client.Link.DisposeAsync();
        }
        Directory.Delete(home, recursive: true);
    }

    private static long Settle()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }
        return GC.GetTotalMemory(forceFullCollection: true);
    }


    private sealed class Client(NodeIdentity identity)
    {
        public NodeIdentity Identity { get; } = identity;

        public PeerLink Link { get; set; } = null!;

        public ConcurrentQueue<byte[]> Replies { get; } = new();
    }

    private static readonly ConcurrentBag<double> Latencies = [];
    private static long s_deliveries;

    private static async Task<List<Client>> ConnectAsync(int count, int port, DeviceId hubId)
    {
        var clients = new List<Client>();
        for (var i = 0; i < count; i++)
        {
            var client = new Client(NodeIdentity.CreateEphemeral());
            client.Link = await new LinkEstablisher(client.Identity, new LinkOptions(), NullLoggerFactory.Instance).ConnectAsync(
                new IPEndPoint(IPAddress.Loopback, port), hubId,
                _ => new Hello(Hello.CurrentVersion, client.Identity.DeviceId, 0, 0, HelloFlags.None, $"m{i}"), CancellationToken.None);
            client.Link.Start((_, frame) =>
            {
                if (frame.Type == FrameType.RoomEntry && RoomEntry.TryRead(frame.Payload, out var entry, out var _error) && entry.Kind == RoomEntryKind.Message
                    && entry.Sender != client.Identity.DeviceId)
                {
                    var payload = entry.Body;
                    var sent = BitConverter.ToInt64(payload, payload.Length - 8);
                    Latencies.Add(Stopwatch.GetElapsedTime(sent).TotalMilliseconds);
                    Interlocked.Increment(ref s_deliveries);
                }
                else if (frame.Type == FrameType.RoomReply)
                {
                    client.Replies.Enqueue(frame.Payload.ToArray());
                }
                return ValueTask.CompletedTask;
            });
            clients.Add(client);
        }
        return clients;
    }

    private static async Task RoomAsync(List<Client> clients)
    {
        // A public room (signed by its creator), so every client may join without an invite.
        var policy = RoomPolicy.First(clients[0].Identity, "bench", isPublic: true).ToArray();
        clients[0].Link.TrySend(FrameType.RoomCommand, RoomCommand.Of(1, RoomOp.Create, "bench", policy).ToArray());
        await Until(() => !clients[0].Replies.IsEmpty);
        foreach (var client in clients.Skip(1))
        {
            client.Link.TrySend(FrameType.RoomCommand, new RoomCommand(1, RoomOp.Join, "bench").ToArray());
        }
        await Until(() => clients.Skip(1).All(c => !c.Replies.IsEmpty));
        foreach (var client in clients)
        {
            client.Link.TrySend(FrameType.RoomSync, new RoomPosition("bench", 0).ToArray()); // read the room's log from the join on
        }
        const int senders = 5;
        const int perSender = 200;
        var expected = (long)senders * perSender * (clients.Count - 1);
        var payload = new byte[200];
        Interlocked.Exchange(ref s_deliveries, 0);
        Latencies.Clear();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < perSender; i++)
        {
            for (var s = 0; s < senders; s++)
            {
                BitConverter.TryWriteBytes(payload.AsSpan(payload.Length - 8), Stopwatch.GetTimestamp());
                clients[s].Link.TrySend(FrameType.RoomMessage, new RoomMessage((uint)i, "bench", clients[s].Identity.DeviceId, payload).ToArray());
            }
            await Task.Delay(2); // 2,500 messages a second offered: a lively room of 200
        }
        await Until(() => Interlocked.Read(ref s_deliveries) >= expected, seconds: 120);
        var elapsed = watch.Elapsed;
        var sorted = Latencies.Order().ToArray();
        Console.WriteLine($"room of {clients.Count}: {senders * perSender} messages, {expected:N0} deliveries in {elapsed.TotalSeconds:0.00} s: "
            + $"{expected / elapsed.TotalSeconds:N0} deliveries/s; delivery latency p50 {sorted[sorted.Length / 2]:0.0} ms, p99 {sorted[(int)(sorted.Length * 0.99)]:0.0} ms");
    }

    private static async Task Until(Func<bool> condition, int seconds = 30)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("benchmark step did not finish");
            }
            await Task.Delay(10);
        }
    }

    /// <summary>The same file sent directly and through the relay (the receiver listens where the hub's observed address does not reach).</summary>
    private static async Task RelayAsync()
    {
        var root = Directory.CreateTempSubdirectory("parley-relaybench-").FullName;
        await using var hub = HubServer.Start(new HubOptions { Home = Path.Combine(root, "hub"), Port = 0, BindAddress = IPAddress.Loopback }, NullLoggerFactory.Instance);
        try
        {
            var invite = new Invite(hub.DeviceId, "hub", [new IPEndPoint(IPAddress.Loopback, hub.Port)]).ToString();
            var source = Path.Combine(root, "file.bin");
            await using (var stream = File.Create(source))
            {
                var chunk = new byte[1 << 20];
                for (var i = 0; i < 512; i++)
                {
                    Random.Shared.NextBytes(chunk);
                    await stream.WriteAsync(chunk);
                }
            }
            var direct = await TimeBetweenAsync(root, "direct", IPAddress.Loopback, invite, source, relayed: false);
            var relayed = await TimeBetweenAsync(root, "relayed", IPAddress.Parse("127.0.0.2"), invite, source, relayed: true);
            Console.WriteLine($"512 MiB direct: {512 / direct.TotalSeconds:0.0} MiB/s; through the hub's relay: {512 / relayed.TotalSeconds:0.0} MiB/s; ratio {direct / relayed:0.00}x");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<TimeSpan> TimeBetweenAsync(string root, string tag, IPAddress receiverBind, string invite, string source, bool relayed)
    {
        await using var alice = await Parley.Node.ParleyNode.StartAsync(new Parley.Node.NodeOptions
        {
            Home = Path.Combine(root, tag + "-a"), Name = "alice", PeerPort = 0, ApiPort = 0, Discovery = false, PortMapping = false, PeerBindAddress = IPAddress.Loopback, HubInvite = invite,
        }, NullLoggerFactory.Instance);
        await using var bob = await Parley.Node.ParleyNode.StartAsync(new Parley.Node.NodeOptions
        {
            Home = Path.Combine(root, tag + "-b"), Name = "bob", PeerPort = 0, ApiPort = 0, Discovery = false, PortMapping = false, PeerBindAddress = receiverBind, HubInvite = invite,
        }, NullLoggerFactory.Instance);
        await Until(() => alice.Relay.CanRelayTo(bob.DeviceId) && bob.Relay.CanRelayTo(alice.DeviceId));
        await alice.Links.MakeContactAsync(bob.DeviceId, address: relayed ? null : $"{receiverBind}:{bob.PeerPort}");
        await bob.Links.MakeContactAsync(alice.DeviceId);
        await Until(() => alice.Links.Session(bob.DeviceId)?.IsOpen == true);
        if (alice.Links.Session(bob.DeviceId)!.Link.Relayed != relayed)
        {
            throw new InvalidOperationException($"expected a {(relayed ? "relayed" : "direct")} link");
        }
        await bob.Files.SetAutoAcceptAsync(alice.DeviceId, true);
        await bob.Files.SetDownloadFolderAsync(Path.Combine(root, tag + "-in"));
        var watch = Stopwatch.StartNew();
        var (transfer, _) = await alice.Files.OfferAsync(bob.DeviceId, [source]);
        await Until(() => transfer.IsFinal, seconds: 300);
        return watch.Elapsed;
    }
}
