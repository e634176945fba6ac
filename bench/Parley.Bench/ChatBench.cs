using System.Collections.Concurrent;
using System.Diagnostics;
using Parley.Node;

namespace Parley.Bench;

/// <summary>
/// Chat between two nodes in this process over loopback: round-trip latency (send until the
/// receiver's ack is back; both sides store the message in SQLite) and one-way throughput, each
/// beside the same exchange over a raw TCP socket and a raw TLS 1.3 stream in the same run.
/// </summary>
internal static class ChatBench
{
    private const string Text = "hello, this is a 32-byte message";

    public static async Task<int> RunAsync(string[] args)
    {
        var roundTrips = Option(args, "--round-trips", 10_000);
        var messages = Option(args, "--messages", 50_000);
        await using var nodes = await BenchNodes.StartAsync();
        var (alice, bob) = (nodes.Alice, nodes.Bob);
        var payload = 16 + 8 + Text.Length;
        Console.WriteLine($"chat round trip, {roundTrips} messages of {Text.Length} B text, one at a time");
        var parley = await ParleyRoundTripsAsync(alice, bob, roundTrips);
        var tcp = await RawPeers.TcpRoundTripsAsync(roundTrips, payload + 6, 22);
        var tls = await RawPeers.TlsRoundTripsAsync(roundTrips, payload + 6, 22);
        Report("parley (TLS + frames + SQLite both sides)", parley);
        Report("raw TCP ping-pong, same sizes", tcp);
        Report("raw TLS 1.3 ping-pong, same sizes", tls);
        Console.WriteLine($"  ratio p99 parley/raw TLS: {Percentile(parley, 0.99) / Percentile(tls, 0.99):0.00}x");

        Console.WriteLine($"chat one way, {messages} messages, up to 1000 unacknowledged");
        var rate = await ParleyThroughputAsync(alice, bob, messages);
        var tlsRate = await RawPeers.TlsOneWayRateAsync(messages, payload + 6);
        Console.WriteLine($"  parley, stored and acknowledged: {rate,10:N0} msg/s");
        Console.WriteLine($"  raw TLS 1.3, one write a message: {tlsRate,10:N0} msg/s");
        Console.WriteLine($"  ratio parley/raw TLS: {rate / tlsRate:0.000}");
        return 0;
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
    }

    private static async Task<double[]> ParleyRoundTripsAsync(ParleyNode alice, ParleyNode bob, int count)
    {
        var pending = new ConcurrentDictionary<Guid, TaskCompletionSource>();
        TaskCompletionSource? current = null;
        alice.Chat.Delivered += _ => current?.TrySetResult();
        var samples = new double[count];
        for (var i = -200; i < count; i++) // the first 200 warm up the JIT and are not counted
        {
            current = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var start = Stopwatch.GetTimestamp();
            await alice.Chat.SendAsync(bob.DeviceId, Text);
            await current.Task;
            if (i >= 0)
            {
                samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }
        return samples;
    }

    private static async Task<double> ParleyThroughputAsync(ParleyNode alice, ParleyNode bob, int count)
    {
        using var window = new SemaphoreSlim(1000);
        var delivered = 0;
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        alice.Chat.Delivered += _ =>
        {
            window.Release();
            if (Interlocked.Increment(ref delivered) == count)
            {
                done.TrySetResult();
            }
        };
        var watch = Stopwatch.StartNew();
        var sends = new List<Task>(count);
        for (var i = 0; i < count; i++)
        {
            await window.WaitAsync();
            sends.Add(alice.Chat.SendAsync(bob.DeviceId, Text));
        }
        await Task.WhenAll(sends);
        await done.Task.WaitAsync(TimeSpan.FromMinutes(5));
        return count / watch.Elapsed.TotalSeconds;
    }

    private static double Percentile(double[] samples, double p)
    {
        var sorted = samples.Order().ToArray();
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }

    private static void Report(string what, double[] samples) =>
        Console.WriteLine($"  {what,-44} p50 {Percentile(samples, 0.50):0.000} ms   p99 {Percentile(samples, 0.99):0.000} ms");
}
