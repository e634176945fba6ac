using System.Diagnostics;
using Parley.Node.Files;

namespace Parley.Bench;

/// <summary>
/// Many small files (issue 22): 10,000 files of 1 KiB, and 2,000 files of 4–200 KiB (photos' thumbnails), sent
/// by Parley against one file of the same total through Parley, <c>tar c | ssh tar x</c> and <c>scp -r</c> (AES-128-GCM,
/// to the bench's own sshd), and the disk's floor (a local <c>cp -r</c>). Every arm ends synced: Parley lands with
/// syncfs, the others run <c>sync -f</c> on their copy. Arms take turns, each round starting with the next one, and every
/// copy stays until the run ends; every round is printed, then
/// the worst and the best ratio. Then chat round trips while the 10,000 files move.
/// </summary>
internal static class FolderBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var rounds = args.Length > 1 && args[0] == "--rounds" ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 3;
        if (args.Contains("--parley-only"))
        {
            return await ParleyOnlyAsync(rounds);
        }
        if (Array.IndexOf(args, "--cut-offs") is var at and >= 0 && at + 1 < args.Length)
        {
            return await BundleCutOffBench.RunAsync([.. args[at + 1].Split(',').Select(int.Parse)], rounds);
        }
        await using var nodes = await BenchNodes.StartAsync();
        await nodes.Bob.Files.SetAutoAcceptAsync(nodes.Alice.DeviceId, true);
        using var ssh = SshServer.TryStart();
        var random = new Random(22);
        var sets = new (string Name, int[] Sizes)[]
        {
            ("10,000 files of 1 KiB", [.. Enumerable.Repeat(1024, 10_000)]),
            ("2,000 files of 4-200 KiB", [.. Enumerable.Range(0, 2000).Select(_ => random.Next(4, 201) * 1024)]),
        };
        foreach (var (name, sizes) in sets)
        {
            var folder = Path.Combine(nodes.Root, "set-" + sizes.Length);
            var one = folder + ".bin";
            MakeFolder(folder, sizes, random);
            File.WriteAllBytes(one, RandomBytes(sizes.Sum(), random));
            Console.WriteLine($"{name} ({sizes.Sum() / 1024.0 / 1024:0.0} MiB)");
            var ratios = new List<(double One, double Tar, double Local)>();
            for (var round = 1; round <= rounds; round++)
            {
                var r = round;
                var arms = new (string Name, Func<Task<TimeSpan?>> Run)[]
                {
                    ("parley", async () => await TimeParleyAsync(nodes, folder, r, "parley")),
                    ("one", async () => await TimeParleyAsync(nodes, one, r, "one")),
                    ("tar", () => Task.FromResult(ssh?.Time($"tar -C {nodes.Root} -cf - {Path.GetFileName(folder)} | $SSH $TARGET \"mkdir -p {Dest(nodes, "tar", r)} && tar -C {Dest(nodes, "tar", r)} -xf - && sync -f {Dest(nodes, "tar", r)}\""))),
                    ("scp", () => Task.FromResult(ssh?.Time($"$SSH $TARGET mkdir -p {Dest(nodes, "scp", r)}; $SCP -r {folder} $TARGET:{Dest(nodes, "scp", r)}/ && sync -f {Dest(nodes, "scp", r)}"))),
                    ("cp", () => Task.FromResult<TimeSpan?>(Time($"mkdir -p {Dest(nodes, "cp", r)} && cp -r {folder} {Dest(nodes, "cp", r)}/ && sync -f {Dest(nodes, "cp", r)}"))),
                };
                // Each round starts with the next arm, and no copy is deleted until the run ends: on ext4 without a
                // journal (this machine's disk) a file created within 30 s of many deletions makes the kernel skip
                // every recently deleted inode first, so whichever arm came right after a deletion paid for it.
                var times = new Dictionary<string, TimeSpan?>();
                for (var i = 0; i < arms.Length; i++)
                {
                    var (armName, run) = arms[(i + round - 1) % arms.Length];
                    times[armName] = await run();
                }
                var (parley, single, tar, scp, local) = (times["parley"]!.Value, times["one"]!.Value, times["tar"], times["scp"], times["cp"]!.Value);
                Console.WriteLine($"  round {round}: parley {Ms(parley)}   one file {Ms(single)}   tar|ssh {Ms(tar)}   scp -r {Ms(scp)}   local cp -r {Ms(local)}");
                ratios.Add((parley / single, tar is { } t ? parley / t : double.NaN, parley / local));
            }
            if (ratios.Count == 0)
            {
                continue; // --rounds 0: only the chat measurement
            }
            Console.WriteLine($"  parley / one file: worst {ratios.Max(r => r.One):0.00}x, best {ratios.Min(r => r.One):0.00}x (target at most 2x)");
            Console.WriteLine($"  parley / tar|ssh:  worst {ratios.Max(r => r.Tar):0.00}x, best {ratios.Min(r => r.Tar):0.00}x (target under 1x)");
            Console.WriteLine($"  parley / local cp: worst {ratios.Max(r => r.Local):0.00}x, best {ratios.Min(r => r.Local):0.00}x (target at most 1.5x)");
        }
        var (p50, p99, count) = await ChatDuringAsync(nodes, Path.Combine(nodes.Root, "set-10000"));
        Console.WriteLine($"chat while 10,000 files move: {count} round trips, p50 {p50:0.00} ms, p99 {p99:0.00} ms (target p99 under 50 ms)");
        return 0;
    }

    /// <summary>Only Parley's 10,000 files, <paramref name="rounds"/> times: for a profile of its system calls.</summary>
    private static async Task<int> ParleyOnlyAsync(int rounds)
    {
        await using var nodes = await BenchNodes.StartAsync();
        await nodes.Bob.Files.SetAutoAcceptAsync(nodes.Alice.DeviceId, true);
        var folder = Path.Combine(nodes.Root, "set-10000");
        MakeFolder(folder, [.. Enumerable.Repeat(1024, 10_000)], new Random(22));
        // Time to attach a profiler to the transfer alone (strace -f -c -p PID), past the making of the files.
        if (Environment.GetEnvironmentVariable("PARLEY_BENCH_ATTACH_SECONDS") is { } wait)
        {
            Console.WriteLine($"pid {Environment.ProcessId}: files made; waiting {wait} s");
            await Task.Delay(TimeSpan.FromSeconds(int.Parse(wait, System.Globalization.CultureInfo.InvariantCulture)));
        }
        for (var round = 1; round <= rounds; round++)
        {
            Console.WriteLine($"  round {round}: parley {Ms(await TimeParleyAsync(nodes, folder, round))}");
        }
        return 0;
    }

    private static string Dest(BenchNodes nodes, string arm, int round) => Path.Combine(nodes.Root, $"to-{arm}-{round}");

    private static string Ms(TimeSpan? time) => time is { } t ? $"{t.TotalMilliseconds,6:0} ms" : "     -";

    private static TimeSpan Time(string pipeline)
    {
        var watch = Stopwatch.StartNew();
        Peers.Run("bash", "-c", pipeline);
        return watch.Elapsed;
    }

    /// <summary>From offer to the sender hearing every file verified (landed and synced), into a fresh folder.</summary>
    internal static async Task<TimeSpan> TimeParleyAsync(BenchNodes nodes, string path, int round, string arm = "parley")
    {
        var dest = Dest(nodes, arm, round);
        Directory.CreateDirectory(dest);
        await nodes.Bob.Files.SetDownloadFolderAsync(dest);
        var watch = Stopwatch.StartNew();
        var (transfer, _) = await nodes.Alice.Files.OfferAsync(nodes.Bob.DeviceId, [path]);
        while (!transfer.IsFinal)
        {
            await Task.Delay(2);
        }
        return transfer.State == TransferState.Completed ? watch.Elapsed : throw new InvalidOperationException($"transfer ended {transfer.State}: {transfer.Error}");
    }

    private static async Task<(double P50, double P99, int Count)> ChatDuringAsync(BenchNodes nodes, string folder)
    {
        var dest = Dest(nodes, "parley", 0);
        Directory.CreateDirectory(dest);
        await nodes.Bob.Files.SetDownloadFolderAsync(dest);
        TaskCompletionSource? current = null;
        nodes.Alice.Chat.Delivered += _ => current?.TrySetResult();
        var (transfer, _) = await nodes.Alice.Files.OfferAsync(nodes.Bob.DeviceId, [folder]);
        var samples = new List<double>();
        while (!transfer.IsFinal && samples.Count < 100_000)
        {
            current = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var start = Stopwatch.GetTimestamp();
            await nodes.Alice.Chat.SendAsync(nodes.Bob.DeviceId, "ping during the folder");
            await current.Task.WaitAsync(TimeSpan.FromSeconds(30));
            samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            await Task.Delay(2);
        }
        samples.Sort();
        return samples.Count == 0 ? (0, 0, 0) : (samples[samples.Count / 2], samples[(int)Math.Ceiling(samples.Count * 0.99) - 1], samples.Count);
    }

    internal static void MakeFolder(string folder, int[] sizes, Random random)
    {
        for (var i = 0; i < sizes.Length; i++)
        {
            var path = Path.Combine(folder, $"d{i / 1000:D2}", $"f{i:D5}.bin");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, RandomBytes(sizes[i], random));
        }
    }

    private static byte[] RandomBytes(int length, Random random)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }
}
