using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Parley.Core.Hub.RoomCalls;
using Parley.Core.Hub.Rooms;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Testing;

namespace Parley.Bench.RoomCalls;

/// <summary>
/// `room-call-forward`: the hub's forwarding unit (a real `parley hub` process) against a bare UDP
/// forwarder process, same packets, same run, for 3, 8 and 16 participants each sending video (30
/// packets a second) and audio (50): the forwarder's CPU per forwarded stream and per packet, packets
/// forwarded per CPU-second, and the one-way latency through it (p50, p99).
/// </summary>
internal static class RoomCallForwardBench
{
    private sealed record Result(string Forwarder, int Participants, double PacketsPerSecond, double CpuPercent, double PacketsPerCpuSecond,
        double P50, double P99, double Delivered);

    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = Arg(args, "--seconds", 10);
        var warmUp = Arg(args, "--warm-up", 2);
        int[] sizes = args.SkipWhile(a => a != "--participants").Skip(1).FirstOrDefault() is { } list
            ? [.. list.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))]
            : [3, 8, 16];
        var results = new List<Result>();
        foreach (var n in sizes)
        {
            results.Add(await MeasureAsync("bare", n, warmUp, seconds, BareAsync));
            results.Add(await MeasureAsync("bare-batched", n, warmUp, seconds, BareAsync));
            results.Add(await MeasureAsync("hub", n, warmUp, seconds, HubAsync));
        }
        Console.WriteLine();
        Console.WriteLine("| forwarder | participants | forwarded streams | packets/s forwarded | CPU (% of a core) | CPU per forwarded stream (% of a core) | CPU per forwarded packet | packets per CPU-second | latency p50 | latency p99 | delivered |");
        Console.WriteLine("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var r in results)
        {
            var streams = r.Participants * (r.Participants - 1) * 2;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Forwarder} | {r.Participants} | {streams} | {r.PacketsPerSecond:0} | {r.CpuPercent:0.0} % | {r.CpuPercent / streams:0.000} % | {1e6 / r.PacketsPerCpuSecond:0.0} µs | {r.PacketsPerCpuSecond:0} | {r.P50:0.00} ms | {r.P99:0.00} ms | {r.Delivered:0.00} % |"));
        }
        foreach (var n in sizes)
        {
            var bare = results.First(r => r.Forwarder == "bare" && r.Participants == n);
            var batched = results.First(r => r.Forwarder == "bare-batched" && r.Participants == n);
            var hub = results.First(r => r.Forwarder == "hub" && r.Participants == n);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{n} participants: hub adds {hub.P50 - bare.P50:0.00} ms at p50, {hub.P99 - bare.P99:0.00} ms at p99; packets per CPU-second {hub.PacketsPerCpuSecond / bare.PacketsPerCpuSecond:0.00}x the bare forwarder's, " +
                $"{hub.PacketsPerCpuSecond / batched.PacketsPerCpuSecond:0.00}x the batched bare forwarder's"));
        }
        return 0;
    }

    private static int Arg(string[] args, string name, int fallback) =>
        args.SkipWhile(a => a != name).Skip(1).FirstOrDefault() is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;

    /// <summary>Starts the forwarder, its participants, then runs the load and reads the forwarder's CPU over the measured window.</summary>
    private static async Task<Result> MeasureAsync(string name, int n, int warmUp, int seconds,
        Func<int, Func<Process, int, Task<(IReadOnlyList<LoadParticipant>, IAsyncDisposable)>>> setUp)
    {
        var (process, port) = await StartAsync(name == "hub" ? ["parley.dll", "--home", Directory.CreateTempSubdirectory("parley-rcbench-").FullName, "hub", "--port", "0"]
            : name == "bare-batched" ? ["Parley.Bench.dll", "bare-forward", "--batched"] : ["Parley.Bench.dll", "bare-forward"]);
        try
        {
            var (participants, owned) = await setUp(n)(process, port);
            await using (owned)
            {
                var load = new ForwardLoad(participants, new IPEndPoint(IPAddress.Loopback, port));
                TimeSpan cpuStart = default, cpuEnd = default;
                long overflowStart = 0, overflowEnd = 0;
                var clock = new Stopwatch();
                await load.RunAsync(TimeSpan.FromSeconds(warmUp), TimeSpan.FromSeconds(seconds), start =>
                {
                    if (start)
                    {
                        cpuStart = Proc.CpuTime(process.Id);
                        overflowStart = UdpReceiveBufferErrors();
                        clock.Start();
                    }
                    else
                    {
                        cpuEnd = Proc.CpuTime(process.Id);
                        overflowEnd = UdpReceiveBufferErrors();
                        clock.Stop();
                    }
                });
                var latencies = load.Latencies();
                Array.Sort(latencies);
                var cpu = (cpuEnd - cpuStart).TotalSeconds;
                var expected = load.Sent * (n - 1.0);
                var result = new Result(name, n, load.Received / clock.Elapsed.TotalSeconds, cpu / clock.Elapsed.TotalSeconds * 100, load.Received / Math.Max(cpu, 0.01),
                    Percentile(latencies, 0.5), Percentile(latencies, 0.99), 100.0 * load.Received / Math.Max(expected, 1));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name,-12} {n,2} participants: {result.PacketsPerSecond,7:0} packets/s, CPU {result.CpuPercent,5:0.0} %, p50 {result.P50:0.00} ms, p99 {result.P99:0.00} ms, delivered {result.Delivered:0.00} %, UDP receive buffers overflowed {overflowEnd - overflowStart} times (whole machine)"));
                return result;
            }
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    /// <summary>Datagrams the kernel dropped since boot because a socket's receive buffer was full (RcvbufErrors, /proc/net/snmp): where a lost copy went.</summary>
    private static long UdpReceiveBufferErrors()
    {
        var lines = File.ReadAllLines("/proc/net/snmp").Where(l => l.StartsWith("Udp: ", StringComparison.Ordinal)).ToArray();
        var column = Array.IndexOf(lines[0].Split(' '), "RcvbufErrors");
        return long.Parse(lines[1].Split(' ')[column], CultureInfo.InvariantCulture);
    }

    private static async Task<(Process Process, int Port)> StartAsync(string[] args)
    {
        var info = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, args[0]), .. args[1..]]) { RedirectStandardOutput = true };
        // parley.dll's own runtime setting (no spinning for work in the thread pool), so the floor pays no CPU the hub does not.
        info.Environment["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "0";
        var process = Process.Start(info)!;
        var port = 0;
        while (await process.StandardOutput.ReadLineAsync() is { } line && line != "ready")
        {
            port = line.Split(' ', StringSplitOptions.RemoveEmptyEntries) is ["port", var p] ? int.Parse(p, CultureInfo.InvariantCulture) : port;
        }
        _ = process.StandardOutput.ReadToEndAsync();
        return (process, port);
    }

    /// <summary>n sockets that seal packets as a participant would (the same work on the sending side), for the bare forwarder, which checks nothing.</summary>
    private static Func<Process, int, Task<(IReadOnlyList<LoadParticipant>, IAsyncDisposable)>> BareAsync(int n) => async (_, port) =>
    {
        var participants = new List<LoadParticipant>();
        for (var i = 0; i < n; i++)
        {
            var socket = Bound(i);
            var key = new RoomCallHopKey(new byte[RoomCallHop.KeySize]);
            var id = (ushort)(i + 1);
            var counter = 0u;
            participants.Add(new LoadParticipant(socket, (stream, sequence, body) =>
            {
                var packet = new byte[RoomCallHop.HeaderSize + body.Length + RoomCallHop.TagSize];
                RoomCallHop.WriteHeader(packet, new RoomCallHopHeader(RoomCallHopKind.Media, RoomCallHopFlags.None, 1, id, id, stream, 40, sequence, ++counter));
                body.CopyTo(packet.AsSpan(RoomCallHop.HeaderSize));
                key.Seal(packet, fromHub: false);
                return packet;
            }));
            socket.SendTo(new byte[1], new IPEndPoint(IPAddress.Loopback, port)); // the bare forwarder learns who is there from a first datagram
        }
        await Task.Delay(200);
        return (participants, new Disposables([]));
    };

    /// <summary>n room members on the hub (real TLS links), in one public room's call, each bound over UDP.</summary>
    private static Func<Process, int, Task<(IReadOnlyList<LoadParticipant>, IAsyncDisposable)>> HubAsync(int n) => async (_, port) =>
    {
        var clients = new List<RoomCallClient>();
        for (var i = 0; i < n; i++)
        {
            var client = await RoomCallClient.ConnectAsync(port, $"p{i}", IPAddress.Parse($"127.0.0.{10 + i}"));
            clients.Add(client);
            var error = i == 0 ? await client.CreatePublicRoomAsync("bench") : await client.RoomAsync(RoomOp.Join, "bench", []);
            error ??= await client.JoinCallAsync("bench");
            if (error is not null)
            {
                throw new InvalidOperationException($"p{i}: {error}");
            }
        }
        for (var round = 0; round < 3; round++)
        {
            clients.ForEach(c => c.Bind());
            await Task.Delay(100);
        }
        return ([.. clients.Select(c => new LoadParticipant(c.Udp, (stream, sequence, body) => c.Packet(RoomCallHopKind.Media, stream, sequence, body)))],
            new Disposables([new KeepAlive(clients), .. clients]));
    };

    private static Socket Bound(int i)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Parse($"127.0.0.{10 + i}"), 0));
        socket.ReceiveBufferSize = 4 << 20;
        return socket;
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

    /// <summary>
    /// Pings each client's TLS link every 3 s: these hand-written clients send nothing on their links once in the call,
    /// and the hub closes a link it has heard nothing on for 12 s, taking the member out of the call. Setup,
    /// 2 s of warm-up and 10 s of measuring pass 12 s for the first of 16 participants: their copies went missing
    /// at the end of the run (the hub's "1 %" at 16 participants).
    /// </summary>
    private sealed class KeepAlive : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        public KeepAlive(List<RoomCallClient> clients) => _loop = Task.Run(async () =>
        {
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    foreach (var client in clients)
                    {
                        await client.Link.SendAsync(FrameType.Ping, new PingNonce((ulong)Stopwatch.GetTimestamp()));
                    }
                    await Task.Delay(TimeSpan.FromSeconds(3), _stop.Token);
                }
            }
            catch (OperationCanceledException)
            {
            }
        });

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _loop;
            _stop.Dispose();
        }
    }

    private sealed class Disposables(IEnumerable<IAsyncDisposable> items) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            foreach (var item in items)
            {
                await item.DisposeAsync();
            }
        }
    }
}
