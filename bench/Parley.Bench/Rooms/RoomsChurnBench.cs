using System.Globalization;
using Parley.Testing;

namespace Parley.Bench.Rooms;

/// <summary>
/// The churn test at full size: five <c>parley up</c> processes, 1,000 messages from all of them while
/// members join, leave, are killed with SIGKILL and come back; then the counts (delivered, missing,
/// unopened) and the time. Exits 1 when the room did not hold.
/// </summary>
internal static class RoomsChurnBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var messages = Array.IndexOf(args, "--messages") is var at and >= 0 ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : 1000;
        var seed = Array.IndexOf(args, "--seed") is var s and >= 0 ? int.Parse(args[s + 1], CultureInfo.InvariantCulture) : 16;
        var options = new ChurnOptions { Messages = messages, Seed = seed, SendGap = TimeSpan.FromMilliseconds(50), Settle = TimeSpan.FromSeconds(120) };
        var keep = args.Contains("--keep");
        var root = Directory.CreateTempSubdirectory("parley-churnbench-").FullName;
        try
        {
            await using var cluster = await RoomCluster.StartAsync(root, Enumerable.Range(0, options.Members).Select(i => $"m{i}"));
            var started = DateTime.UtcNow;
            var report = await RoomChurn.RunAsync(cluster, options, line => Console.Error.WriteLine($"{DateTime.UtcNow - started:mm\\:ss\\.f} {line}"));
            Console.WriteLine($"rooms-churn, {options.Members} members, seed {seed}: {report.Details()}");
            Console.WriteLine($"delivered {report.Delivered} of {report.Expected}; missing {report.Missing.Count}; unopened {report.Unopened.Count}; "
                + $"total {(report.SendPhase + report.SettledIn).TotalSeconds:0.0} s (sending {report.SendPhase.TotalSeconds:0.0} s, settling {report.SettledIn.TotalSeconds:0.0} s)");
            var leaked = cluster.PlaintextAtHub(options.Marker);
            Console.WriteLine(leaked.Count == 0 ? "the hub's files and log hold no message text" : "PLAINTEXT AT THE HUB: " + string.Join(", ", leaked));
            if (keep)
            {
                // Each process's log beside its home, to follow one message or key through them.
                foreach (var node in cluster.Nodes)
                {
                    await File.WriteAllTextAsync(Path.Combine(root, node.Name + ".log"), node.Output);
                }
                await File.WriteAllTextAsync(Path.Combine(root, "hub.log"), cluster.Hub.Output);
                await File.WriteAllLinesAsync(Path.Combine(root, "report.txt"), [report.Details(int.MaxValue)]);
                Console.WriteLine($"kept: {root} (homes, NAME.log, hub.log, report.txt)");
            }
            return report.Holds && leaked.Count == 0 ? 0 : 1;
        }
        finally
        {
            if (!keep)
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }
}
