using System.Diagnostics;
using System.Globalization;
using Parley.Core.Files;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Core.Videos;
using Parley.Testing;

namespace Parley.Bench.Attacks;

/// <summary>
/// Each attack of issue 15 against real processes, for a fixed window: what the attacker sent, the
/// victim's resident memory before, at the end and 2 s after, its CPU over the window, and a
/// legitimate exchange's round trip during the attack against the same exchange just before it, in
/// the same run (a chat message to the node until its ack is back; a directory lookup at the hub;
/// a fresh handshake where the attack is on handshakes).
/// </summary>
internal static class AttackBench
{
    private sealed record Attack(string Name, bool OnHub, Func<Victim, TimeSpan, Task<long>> Run, bool ProbesHandshakes = false);

    private static readonly Attack[] Attacks =
    [
        new("ping flood, never read (stranger)", false, PingFloodAsync),
        new("200 idle connections (slow-loris)", false, (v, w) => HoldSocketsAsync(v, w, 200, null), ProbesHandshakes: true),
        new("150 strangers asking to connect", false, StrangersAsync),
        new("15,000 video list requests, never read (contact)", false, VideoListFloodAsync),
        new("file offer of 20,000 copies of one name (contact)", false, NameFloodAsync),
        new("ping flood, never read (member)", true, PingFloodAsync),
        new("8 partial relay preambles", true, (v, w) => HoldSocketsAsync(v, w, 8, "P"u8.ToArray()), ProbesHandshakes: true),
        new("200 idle connections (slow-loris)", true, (v, w) => HoldSocketsAsync(v, w, 200, null), ProbesHandshakes: true),
    ];

    public static async Task<int> RunAsync(string[] args)
    {
        var window = TimeSpan.FromSeconds(Option(args, "--seconds", 10));
        var only = Array.IndexOf(args, "--only") is var at and >= 0 && at + 1 < args.Length ? args[at + 1] : null;
        Console.WriteLine($"each attack for {window.TotalSeconds:0} s against a real process; legitimate round trips measured 3 s before and during it");
        Console.WriteLine("| victim | attack | attacker sent | victim RSS before / end / 2 s after | victim CPU | round trip before p50 / p99 | during p50 / p99 (failed) | p99 ratio |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|");
        foreach (var attack in Attacks.Where(a => only is null || a.Name.Contains(only, StringComparison.OrdinalIgnoreCase)))
        {
            await using var victim = attack.OnHub ? await Victim.HubAsync() : await Victim.NodeAsync();
            Func<Task> probe = attack.ProbesHandshakes ? () => HandshakeAsync(victim) : victim.RoundTrip;
            // A hub lets a member make 20 requests a second: its probe (a lookup) is paced under that.
            var pace = TimeSpan.FromMilliseconds(attack.OnHub ? 100 : 20);
            var before = await RoundTripsAsync(probe, TimeSpan.FromSeconds(3), pace);
            var rssBefore = Proc.RssKiB(victim.Pid);
            var cpuBefore = Proc.CpuTime(victim.Pid);
            var clock = Stopwatch.StartNew();
            var attacking = Task.Run(() => attack.Run(victim, window));
            var during = await RoundTripsAsync(probe, window, pace);
            var cpu = (Proc.CpuTime(victim.Pid) - cpuBefore) / clock.Elapsed;
            var rssEnd = Proc.RssKiB(victim.Pid);
            var sent = await attacking;
            await Task.Delay(TimeSpan.FromSeconds(2));
            var rssAfter = Proc.RssKiB(victim.Pid);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {(attack.OnHub ? "hub" : "node")} | {attack.Name} | {sent / 1048576.0:0.0} MiB | {rssBefore / 1024} / {rssEnd / 1024} / {rssAfter / 1024} MiB | {cpu:P0} | " +
                $"{Percentile(before.Times, 0.5):0.0} / {Percentile(before.Times, 0.99):0.0} ms | {Percentile(during.Times, 0.5):0.0} / {Percentile(during.Times, 0.99):0.0} ms ({during.Failed}) | " +
                $"{Percentile(during.Times, 0.99) / Math.Max(Percentile(before.Times, 0.99), 0.001):0.00}x |"));
        }
        return 0;
    }

    /// <summary>One legitimate exchange after another for the window; times in ms, and how many failed or took over 10 s.</summary>
    private static async Task<(List<double> Times, int Failed)> RoundTripsAsync(Func<Task> probe, TimeSpan window, TimeSpan pace)
    {
        var times = new List<double>();
        var failed = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < window && times.Count < 100_000)
        {
            var one = Stopwatch.StartNew();
            try
            {
                await probe().WaitAsync(TimeSpan.FromSeconds(10));
                times.Add(one.Elapsed.TotalMilliseconds);
            }
            catch (Exception e) when (e is TimeoutException or IOException or InvalidOperationException or System.Net.Sockets.SocketException or OperationCanceledException)
            {
                failed++;
            }
            await Task.Delay(pace);
        }
        return (times, failed);
    }

    /// <summary>What a new peer's first contact costs: TCP, TLS 1.3 and the hellos.</summary>
    private static async Task HandshakeAsync(Victim victim)
    {
        await using var link = await AttackerLink.ConnectAsync(victim.Endpoint, "newcomer");
    }

    private static async Task<long> PingFloodAsync(Victim victim, TimeSpan window)
    {
        await using var attacker = await AttackerLink.ConnectAsync(victim.Endpoint);
        await attacker.FloodAsync(FrameWriter.ToArray(FrameType.Ping, 0, new PingNonce(1).ToArray()), long.MaxValue, window);
        return attacker.BytesSent;
    }

    private static async Task<long> HoldSocketsAsync(Victim victim, TimeSpan window, int count, byte[]? firstBytes)
    {
        var sockets = await RawConnections.OpenAsync(victim.Endpoint, count, firstBytes);
        await Task.Delay(window);
        foreach (var socket in sockets)
        {
            socket.Dispose();
        }
        return sockets.Count * (firstBytes?.Length ?? 0);
    }

    private static async Task<long> StrangersAsync(Victim victim, TimeSpan window)
    {
        var links = new List<AttackerLink>();
        long sent = 0;
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 150 && clock.Elapsed < window; i++)
        {
            try
            {
                links.Add(await AttackerLink.ConnectAsync(victim.Endpoint, "bob"));
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or System.Security.Authentication.AuthenticationException)
            {
                // Refused: what a capped victim should do.
            }
        }
        if (window > clock.Elapsed)
        {
            await Task.Delay(window - clock.Elapsed);
        }
        foreach (var link in links)
        {
            sent += link.BytesSent;
            await link.DisposeAsync();
        }
        return sent;
    }

    /// <summary>A contact of the victim (it was added by device ID first), speaking as itself.</summary>
    private static async Task<AttackerLink> ContactAsync(Victim victim)
    {
        var identity = NodeIdentity.CreateEphemeral();
        await victim.Node!.CliAsync("add", identity.DeviceId.ToString());
        return await AttackerLink.ConnectAsync(victim.Endpoint, "mallory", identity, HelloFlags.Contact);
    }

    private static async Task<long> VideoListFloodAsync(Victim victim, TimeSpan window)
    {
        await using var attacker = await ContactAsync(victim);
        await attacker.FloodAsync(FrameWriter.ToArray(FrameType.VideoListRequest, 0, new VideoRequestId(7).ToArray()), 15_000, window);
        await Task.Delay(window / 2);
        return attacker.BytesSent;
    }

    private static async Task<long> NameFloodAsync(Victim victim, TimeSpan window)
    {
        await using var attacker = await ContactAsync(victim);
        var offer = new FileOffer(Guid.NewGuid(), [.. Enumerable.Repeat(new OfferEntry("same.txt", 1), 20_000)]);
        await attacker.SendAsync(FrameType.FileOffer, offer);
        await Task.Delay(window);
        return attacker.BytesSent;
    }

    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }
        var sorted = values.Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(p * sorted.Count))];
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }
}
