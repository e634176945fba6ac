using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using NATS.Client.Core;
using Parley.Core.Hub.Cluster;
using Parley.Core.Hub.RoomCalls;
using Parley.Testing;

namespace Parley.Bench.RoomCalls;

/// <summary>
/// `hub-link`: how a cluster's hubs carry a room call's media to each other, measured both ways the issue names, in one run:
/// the hub-to-hub UDP bridge the hubs use (<see cref="RoomCallBridgePacket"/>: AES-GCM sealed, one datagram a packet, read
/// by an async receive loop as <c>ClusterRoomCalls.Udp</c> does) against core NATS publish/subscribe through a three-server
/// cluster (each "hub" connected to a different server, as hubs spread over a cluster are; the same sealed packets as the
/// payload). Per arm and round: one-way latency (p50, p99) at a paced rate, what arrives of a burst sent as fast as it can
/// be, and CPU per packet (this process, both ends, plus the NATS servers for that arm).
/// </summary>
internal static class HubLinkBench
{
    private const int PacketBytes = 1_100; // a full video packet of a room call (the hop header and a 1,0xx-byte frame piece)
    private const string Subject = "parley.bench.hublink";

    private sealed record Figures(string Arm, int Round, double P50, double P99, double PacedDelivered, double BurstPerSecond, double BurstDelivered,
        double CpuMicrosPerPacket);

    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = Arg(args, "--rounds", 3);
        var rate = Arg(args, "--rate", 2_000);
        var seconds = Arg(args, "--seconds", 5);
        var burst = Arg(args, "--burst", 50_000);
        Console.WriteLine($"hub-link: {rounds} rounds; paced {rate} packets/s of {PacketBytes} B for {seconds} s, then a burst of {burst}");
        await using var nats = await NatsServers.StartAsync(3);
        var secret = RandomNumberGenerator.GetBytes(32);
        var results = new List<Figures>();
        for (var round = 1; round <= rounds; round++)
        {
            // Alternating which goes first, so neither always runs on a warmer machine.
            var udpFirst = round % 2 == 1;
            foreach (var arm in udpFirst ? new[] { "udp", "udp-thread", "nats" } : ["nats", "udp-thread", "udp"])
            {
                await using ILink link = arm == "nats" ? await NatsLink.StartAsync(secret, nats) : new UdpLink(secret, blocking: arm == "udp-thread");
                var figures = await MeasureAsync(arm, round, link, arm == "nats" ? nats : null, rate, seconds, burst);
                results.Add(figures);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  round {round} {arm,-4}: latency p50 {figures.P50:0.000} ms, p99 {figures.P99:0.000} ms, paced delivered {figures.PacedDelivered:0.00} %; burst {figures.BurstPerSecond:0} packets/s, {figures.BurstDelivered:0.00} % delivered; CPU {figures.CpuMicrosPerPacket:0.0} µs a packet"));
            }
        }
        Console.WriteLine();
        Console.WriteLine("| arm | latency p50 (median, lowest–highest) | p99 | paced delivered | burst packets/s | burst delivered | CPU a packet (both ends + servers) |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- |");
        foreach (var arm in new[] { "udp", "udp-thread", "nats" })
        {
            var of = results.Where(r => r.Arm == arm).ToList();
            Console.WriteLine($"| {arm} | {Spread(of, r => r.P50, "0.000")} ms | {Spread(of, r => r.P99, "0.000")} ms | {Spread(of, r => r.PacedDelivered, "0.00")} % | {Spread(of, r => r.BurstPerSecond, "0")} | {Spread(of, r => r.BurstDelivered, "0.00")} % | {Spread(of, r => r.CpuMicrosPerPacket, "0.0")} µs |");
        }
        Console.WriteLine();
        Console.WriteLine($"bulk (a relayed transfer's bytes between hubs): {BulkMiB} MiB in {BulkChunk / 1024} KiB pieces, {rounds} rounds");
        var bulk = new List<(string Arm, double MiBps, double Delivered)>();
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var arm in round % 2 == 1 ? new[] { "tcp", "nats" } : ["nats", "tcp"])
            {
                var (mibps, delivered) = arm == "tcp" ? await BulkTcpAsync() : await BulkNatsAsync(nats);
                bulk.Add((arm, mibps, delivered));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  round {round} {arm,-4}: {mibps:0} MiB/s, {delivered:0.0} % delivered"));
            }
        }
        foreach (var arm in new[] { "tcp", "nats" })
        {
            var of = bulk.Where(b => b.Arm == arm).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| bulk {arm} | {of.Min(b => b.MiBps):0}–{of.Max(b => b.MiBps):0} MiB/s | {of.Min(b => b.Delivered):0.0}–{of.Max(b => b.Delivered):0.0} % delivered |"));
        }
        foreach (var round in results.Select(r => r.Round).Distinct())
        {
            var udp = results.First(r => r.Round == round && r.Arm == "udp-thread"); // the way the hubs' bridge reads
            var viaNats = results.First(r => r.Round == round && r.Arm == "nats");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {round}: NATS / UDP on its thread: latency p50 {viaNats.P50 / udp.P50:0.0}x, p99 {viaNats.P99 / udp.P99:0.0}x; burst rate {viaNats.BurstPerSecond / udp.BurstPerSecond:0.00}x; CPU a packet {viaNats.CpuMicrosPerPacket / udp.CpuMicrosPerPacket:0.0}x"));
        }
        return 0;
    }

    private const int BulkMiB = 256;
    private const int BulkChunk = 64 * 1024;

    /// <summary>The relay's way: one TCP connection between the hubs, written and read in 64 KiB pieces; MiB/s and the share that arrived.</summary>
    private static async Task<(double MiBps, double Delivered)> BulkTcpAsync()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var sending = new TcpClient();
        await sending.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var receiving = await listener.AcceptTcpClientAsync();
        var total = (long)BulkMiB << 20;
        var clock = Stopwatch.StartNew();
        var reading = Task.Run(async () =>
        {
            var buffer = new byte[BulkChunk];
            long got = 0;
            var stream = receiving.GetStream();
            while (got < total)
            {
                var n = await stream.ReadAsync(buffer);
                if (n == 0)
                {
                    break;
                }
                got += n;
            }
            return got;
        });
        var piece = RandomNumberGenerator.GetBytes(BulkChunk);
        var output = sending.GetStream();
        for (long sent = 0; sent < total; sent += BulkChunk)
        {
            await output.WriteAsync(piece);
        }
        var received = await reading.WaitAsync(TimeSpan.FromSeconds(60));
        return (received / 1048576.0 / clock.Elapsed.TotalSeconds, 100.0 * received / total);
    }

    /// <summary>The same bytes as core NATS messages (no flow control: a subscriber that falls behind loses messages).</summary>
    private static async Task<(double MiBps, double Delivered)> BulkNatsAsync(NatsServers servers)
    {
        await using var publisher = new NatsConnection(new NatsOpts { Url = $"nats://127.0.0.1:{servers.Ports[0]}" });
        await using var subscriber = new NatsConnection(new NatsOpts { Url = $"nats://127.0.0.1:{servers.Ports[1]}" });
        await publisher.ConnectAsync();
        await subscriber.ConnectAsync();
        const string BulkSubject = Subject + ".bulk";
        await using var subscription = await subscriber.SubscribeCoreAsync<byte[]>(BulkSubject);
        await Task.Delay(500); // the interest reaches the publisher's server
        var total = (long)BulkMiB << 20;
        long received = 0;
        var last = Stopwatch.StartNew();
        var clock = Stopwatch.StartNew();
        var reading = Task.Run(async () =>
        {
            using var idle = new CancellationTokenSource();
            while (received < total)
            {
                idle.CancelAfter(TimeSpan.FromSeconds(3)); // no message for 3 s: what was dropped is not coming
                try
                {
                    var message = await subscription.Msgs.ReadAsync(idle.Token);
                    received += message.Data?.Length ?? 0;
                    last.Restart();
                    idle.TryReset();
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            return clock.Elapsed - last.Elapsed;
        });
        var piece = RandomNumberGenerator.GetBytes(BulkChunk);
        for (long sent = 0; sent < total; sent += BulkChunk)
        {
            await publisher.PublishAsync(BulkSubject, piece);
        }
        var lastArrival = await reading.WaitAsync(TimeSpan.FromSeconds(120));
        return (received / 1048576.0 / Math.Max(lastArrival.TotalSeconds, 1e-3), 100.0 * received / total);
    }

    private static string Spread(List<Figures> of, Func<Figures, double> figure, string format)
    {
        var values = of.Select(figure).Order().ToList();
        var median = values[values.Count / 2];
        return string.Create(CultureInfo.InvariantCulture, $"{median.ToString(format, CultureInfo.InvariantCulture)} ({values[0].ToString(format, CultureInfo.InvariantCulture)}–{values[^1].ToString(format, CultureInfo.InvariantCulture)})");
    }

    private static int Arg(string[] args, string name, int fallback) =>
        args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    private static async Task<Figures> MeasureAsync(string arm, int round, ILink link, NatsServers? servers, int rate, int seconds, int burst)
    {
        await link.WarmAsync();
        // Paced: the latency a packet sees at a room call's rate (a send every 1/rate s, in whole milliseconds' worth at a time).
        var paced = rate * seconds;
        link.Reset(paced);
        var clock = Stopwatch.StartNew();
        for (var sent = 0; sent < paced;)
        {
            var due = (int)Math.Min(paced, clock.Elapsed.TotalSeconds * rate + 1);
            for (; sent < due; sent++)
            {
                link.Send(sent);
            }
            await Task.Delay(1);
        }
        await link.DrainedAsync(TimeSpan.FromSeconds(2));
        var latencies = link.Latencies();
        var pacedDelivered = 100.0 * latencies.Count / paced;
        latencies.Sort();

        // Burst: as fast as one sender can, what arrives and how fast; CPU over the burst, both ends and (NATS) the servers.
        link.Reset(burst);
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime + (servers is null ? TimeSpan.Zero : Proc.CpuTimeOfOurs("nats-server"));
        clock.Restart();
        for (var i = 0; i < burst; i++)
        {
            link.Send(i);
            if (i % 256 == 255)
            {
                await Task.Yield();
            }
        }
        await link.DrainedAsync(TimeSpan.FromSeconds(5));
        var elapsed = link.LastArrival; // the last packet's arrival, from the reset just before the burst began
        var cpu = Process.GetCurrentProcess().TotalProcessorTime + (servers is null ? TimeSpan.Zero : Proc.CpuTimeOfOurs("nats-server")) - cpuBefore;
        var arrived = link.Latencies().Count;
        return new Figures(arm, round, Percentile(latencies, 0.50), Percentile(latencies, 0.99), pacedDelivered,
            arrived / Math.Max(elapsed.TotalSeconds, 1e-3), 100.0 * arrived / burst, cpu.TotalMicroseconds / Math.Max(arrived, 1));
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? double.NaN : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];

    /// <summary>One direction between two "hubs": send packet number N; the receiving end opens each and notes its one-way latency.</summary>
    private interface ILink : IAsyncDisposable
    {
        void Send(int number);

        void Reset(int expected);

        Task WarmAsync();

        Task DrainedAsync(TimeSpan patience);

        List<double> Latencies();

        /// <summary>When the last packet arrived, from the last <see cref="Reset"/>.</summary>
        TimeSpan LastArrival { get; }
    }

    /// <summary>What both arms share: sealing as the bridge does, opening, and the receiving side's bookkeeping.</summary>
    private abstract class SealedLink : ILink
    {
        private const ulong From = 1;
        private const uint ToCall = 7;
        private readonly AesGcm _sealing;
        private readonly AesGcm _opening;
        private readonly byte[] _hop = new byte[PacketBytes];
        private readonly byte[] _opened = new byte[PacketBytes + RoomCallBridgePacket.HeaderSize + RoomCallBridgePacket.TagSize];
        private readonly Lock _lock = new();
        private readonly Stopwatch _since = Stopwatch.StartNew();
        private List<double> _latencies = [];
        private ulong _counter;
        private int _expected;
        private TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected SealedLink(byte[] secret)
        {
            var key = RoomCallBridgePacket.DeriveKey(secret, From, 2);
            _sealing = new AesGcm(key, RoomCallBridgePacket.TagSize);
            _opening = new AesGcm(key, RoomCallBridgePacket.TagSize);
            RandomNumberGenerator.Fill(_hop);
        }

        public TimeSpan LastArrival { get; private set; }

        public void Send(int number)
        {
            BinaryPrimitives.WriteInt32BigEndian(_hop, number);
            BinaryPrimitives.WriteInt64BigEndian(_hop.AsSpan(4), Stopwatch.GetTimestamp());
            var packet = new byte[RoomCallBridgePacket.MaxSize];
            var length = RoomCallBridgePacket.Seal(_sealing, From, ToCall, ++_counter, _hop, packet);
            Transmit(packet.AsSpan(0, length));
        }

        protected abstract void Transmit(ReadOnlySpan<byte> packet);

        /// <summary>The receiving end: opens a sealed packet and notes its latency.</summary>
        protected void Arrived(ReadOnlySpan<byte> packet)
        {
            var now = Stopwatch.GetTimestamp();
            if (!RoomCallBridgePacket.TryReadHeader(packet, out _, out _, out _) || RoomCallBridgePacket.TryOpen(_opening, packet, _opened) == 0)
            {
                return;
            }
            var number = BinaryPrimitives.ReadInt32BigEndian(_opened);
            if (number < 0)
            {
                return; // a warm-up packet
            }
            var latency = Stopwatch.GetElapsedTime(BinaryPrimitives.ReadInt64BigEndian(_opened.AsSpan(4)), now).TotalMilliseconds;
            lock (_lock)
            {
                _latencies.Add(latency);
                LastArrival = _since.Elapsed;
                if (_latencies.Count >= _expected)
                {
                    _all.TrySetResult();
                }
            }
        }

        public void Reset(int expected)
        {
            lock (_lock)
            {
                _latencies = new List<double>(expected);
                _expected = expected;
                _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
                _since.Restart();
            }
        }

        public async Task WarmAsync()
        {
            for (var i = 0; i < 2_000; i++)
            {
                Send(-1 - i);
                if (i % 100 == 99)
                {
                    await Task.Delay(1);
                }
            }
            await Task.Delay(300);
        }

        public async Task DrainedAsync(TimeSpan patience)
        {
            Task all;
            lock (_lock)
            {
                all = _all.Task;
            }
            await Task.WhenAny(all, Task.Delay(patience));
        }

        public List<double> Latencies()
        {
            lock (_lock)
            {
                return [.. _latencies];
            }
        }

        public virtual ValueTask DisposeAsync()
        {
            _sealing.Dispose();
            _opening.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>
    /// The bridge as the hubs run it: a datagram a packet, to a socket read by an async loop; or (<c>blocking</c>, the arm
    /// "udp-thread") read by a thread of its own blocked in recvfrom, as the nodes' media sockets are (DatagramThread).
    /// </summary>
    private sealed class UdpLink : SealedLink
    {
        private readonly Socket _out = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        private readonly Socket _in = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp) { ReceiveBufferSize = 4 << 20 };
        private readonly EndPoint _to;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _receiving;

        public UdpLink(byte[] secret, bool blocking) : base(secret)
        {
            _in.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            _to = _in.LocalEndPoint!;
            _receiving = blocking ? ReceiveOnThread() : Task.Run(ReceiveAsync);
        }

        private Task ReceiveOnThread()
        {
            var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            new Thread(() =>
            {
                var buffer = new byte[2048];
                EndPoint any = new IPEndPoint(IPAddress.Any, 0);
                try
                {
                    while (true)
                    {
                        var got = _in.ReceiveFrom(buffer, SocketFlags.None, ref any);
                        Arrived(buffer.AsSpan(0, got));
                    }
                }
                catch (Exception e) when (e is ObjectDisposedException or SocketException)
                {
                }
                finally
                {
                    ended.TrySetResult();
                }
            }) { IsBackground = true }.Start();
            return ended.Task;
        }

        protected override void Transmit(ReadOnlySpan<byte> packet) => _out.SendTo(packet, SocketFlags.None, _to);

        private async Task ReceiveAsync()
        {
            var buffer = new byte[2048];
            EndPoint any = new IPEndPoint(IPAddress.Any, 0);
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    var got = await _in.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token);
                    Arrived(buffer.AsSpan(0, got.ReceivedBytes));
                }
                catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
                {
                    if (_stop.IsCancellationRequested)
                    {
                        return;
                    }
                }
            }
        }

        public override async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _in.Dispose();
            _out.Dispose();
            await _receiving;
            await base.DisposeAsync();
        }
    }

    /// <summary>Media through NATS instead: core publish on one server, subscription on another of the cluster.</summary>
    private sealed class NatsLink : SealedLink
    {
        private readonly NatsConnection _publisher;
        private readonly NatsConnection _subscriber;
        private readonly CancellationTokenSource _stop = new();
        private readonly System.Threading.Channels.Channel<byte[]> _outgoing = System.Threading.Channels.Channel.CreateUnbounded<byte[]>(
            new System.Threading.Channels.UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        private Task _receiving = Task.CompletedTask;
        private Task _publishing = Task.CompletedTask;

        private NatsLink(byte[] secret, NatsConnection publisher, NatsConnection subscriber) : base(secret)
        {
            _publisher = publisher;
            _subscriber = subscriber;
        }

        public static async Task<NatsLink> StartAsync(byte[] secret, NatsServers servers)
        {
            var publisher = new NatsConnection(new NatsOpts { Url = $"nats://127.0.0.1:{servers.Ports[0]}" });
            var subscriber = new NatsConnection(new NatsOpts { Url = $"nats://127.0.0.1:{servers.Ports[1]}" });
            await publisher.ConnectAsync();
            await subscriber.ConnectAsync();
            var link = new NatsLink(secret, publisher, subscriber);
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            link._receiving = Task.Run(async () =>
            {
                try
                {
                    var subscription = await subscriber.SubscribeCoreAsync<byte[]>(Subject, cancellationToken: link._stop.Token);
                    ready.TrySetResult();
                    await foreach (var message in subscription.Msgs.ReadAllAsync(link._stop.Token))
                    {
                        link.Arrived(message.Data ?? []);
                    }
                }
                catch (OperationCanceledException)
                {
                }
                finally
                {
                    ready.TrySetResult();
                }
            });
            await ready.Task;
            link._publishing = Task.Run(async () =>
            {
                await foreach (var packet in link._outgoing.Reader.ReadAllAsync())
                {
                    await publisher.PublishAsync(Subject, packet);
                }
            });
            await Task.Delay(500); // the subscription's interest reaches the publisher's server
            return link;
        }

        // One publishing loop, as a hub's: core NATS buffers each publish in the connection, so it is not a round trip.
        protected override void Transmit(ReadOnlySpan<byte> packet) => _outgoing.Writer.TryWrite(packet.ToArray());

        public override async ValueTask DisposeAsync()
        {
            _outgoing.Writer.TryComplete();
            await _publishing;
            await _stop.CancelAsync();
            await _receiving;
            await _publisher.DisposeAsync();
            await _subscriber.DisposeAsync();
            await base.DisposeAsync();
        }
    }
}
