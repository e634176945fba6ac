using System.Diagnostics;
using System.Globalization;
using Parley.Testing;

namespace Parley.Bench;

/// <summary>
/// One big file between two real <c>parley up</c> processes, driven by the CLI as a user would (<c>parley send</c>, which
/// exits once the receiver has verified, fsynced and renamed every block), beside <c>scp -c aes128-gcm</c> followed by
/// <c>sync</c> of its copy and the disk's own durable floor, <c>dd conv=fsync</c> of the same file. Every arm ends
/// synced; the arms alternate (each round starts with the next one); every round is printed with the machine's load.
/// Run on the disk and on a tmpfs the bench mounts and removes (the protocol's own cost, no disk).
/// </summary>
internal static class FileProcessBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var mib = Option(args, "--size-mib", 1024);
        var rounds = Option(args, "--rounds", 3);
        var media = args.Contains("--tmpfs-only") ? 1 : 0;
        var root = Directory.CreateTempSubdirectory("parley-fileproc-").FullName;
        var tmpfs = Path.Combine(root, "tmpfs");
        try
        {
            await using var alice = await NodeProcess.StartAsync(ParleyRunner.Local, Path.Combine(root, "alice"), "--port", "0", "--api-port", "0", "--no-discovery", "--name", "alice");
            await using var bob = await NodeProcess.StartAsync(ParleyRunner.Local, Path.Combine(root, "bob"), "--port", "0", "--api-port", "0", "--no-discovery", "--name", "bob");
            await NodeProcess.BefriendAsync(alice, bob);
            var aliceId = (await alice.StatusAsync()).GetProperty("deviceId").GetString()!;
            Check(await bob.CliAsync("auto-accept", aliceId, "on"));
            var parleyOnly = args.Contains("--parley-only"); // for a profile of the two processes
            using var ssh = parleyOnly ? null : SshServer.TryStart();
            if (Environment.GetEnvironmentVariable("PARLEY_BENCH_ATTACH_SECONDS") is { } wait)
            {
                Console.WriteLine($"pids {alice.Process.Id} {bob.Process.Id}: alice, bob; waiting {wait} s");
                await Task.Delay(TimeSpan.FromSeconds(int.Parse(wait, CultureInfo.InvariantCulture)));
            }
            Directory.CreateDirectory(tmpfs);
            Peers.Run("mount", "-t", "tmpfs", "-o", $"size={(mib * 4) + 64}m", "parley-bench", tmpfs);
            foreach (var (medium, folder) in new[] { ("on disk", Path.Combine(root, "disk")), ("on tmpfs", tmpfs) }.Skip(media))
            {
                Directory.CreateDirectory(folder);
                var source = Path.Combine(folder, "big.bin");
                MakeRandomFile(source, (long)mib << 20);
                Shell("sync"); // no writeback of the source left to slow the first arm
                Console.WriteLine($"{mib} MiB {medium} ({folder}), between two parley processes on loopback");
                var runs = new List<(double Parley, double Scp, double Dd)>();
                for (var round = 1; round <= rounds; round++)
                {
                    var dest = Directory.CreateDirectory(Path.Combine(folder, $"round-{round}")).FullName;
                    var times = new Dictionary<string, TimeSpan>();
                    var arms = new (string Name, Func<Task<TimeSpan>> Run)[]
                    {
                        ("parley", () => ParleyAsync(alice, bob, source, Path.Combine(dest, "parley"))),
                        ("scp", () => Task.FromResult(ssh?.Time($"$SCP {source} $TARGET:{dest}/scp.bin && sync {dest}/scp.bin") ?? TimeSpan.Zero)),
                        ("dd", () => Task.FromResult(Shell($"dd if={source} of={dest}/dd.bin bs=4M conv=fsync status=none"))),
                    };
                    if (parleyOnly)
                    {
                        arms = arms[..1];
                    }
                    var load = Load();
                    for (var i = 0; i < arms.Length; i++)
                    {
                        var (name, run) = arms[(i + round - 1) % arms.Length];
                        times[name] = await run();
                    }
                    Directory.Delete(dest, recursive: true);
                    var rate = (TimeSpan t) => t == TimeSpan.Zero ? double.NaN : mib / t.TotalSeconds;
                    runs.Add((rate(times["parley"]), rate(times.GetValueOrDefault("scp")), rate(times.GetValueOrDefault("dd"))));
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  round {round} (first {arms[(round - 1) % arms.Length].Name}, load {load} -> {Load()}): parley {runs[^1].Parley,6:0.0} MiB/s   scp+sync {runs[^1].Scp,6:0.0} MiB/s   dd conv=fsync {runs[^1].Dd,6:0.0} MiB/s   parley/dd {runs[^1].Parley / runs[^1].Dd:0.00}x   parley/scp {runs[^1].Parley / runs[^1].Scp:0.00}x"));
                }
                File.Delete(source);
                if (runs.Count > 0)
                {
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  parley/dd:  worst {runs.Min(r => r.Parley / r.Dd):0.00}x, best {runs.Max(r => r.Parley / r.Dd):0.00}x   parley/scp: worst {runs.Min(r => r.Parley / r.Scp):0.00}x, best {runs.Max(r => r.Parley / r.Scp):0.00}x   parley {runs.Min(r => r.Parley):0}–{runs.Max(r => r.Parley):0} MiB/s"));
                }
            }
        }
        finally
        {
            if (Directory.Exists(tmpfs))
            {
                Shell($"umount {tmpfs} 2>/dev/null; true");
            }
            Directory.Delete(root, recursive: true);
        }
        return 0;
    }

    /// <summary>`parley send` from start to exit (it exits once the receiver has verified and landed the file).</summary>
    private static async Task<TimeSpan> ParleyAsync(NodeProcess alice, NodeProcess bob, string source, string dest)
    {
        Directory.CreateDirectory(dest);
        Check(await bob.CliAsync("settings", "--download-folder", dest));
        var cpu = (Alice: Proc.CpuTime(alice.Process.Id), Bob: Proc.CpuTime(bob.Process.Id));
        var watch = Stopwatch.StartNew();
        var sent = await ParleyRunner.Local.RunAsync("--home", alice.Home, "send", source, "--to", "bob");
        var elapsed = watch.Elapsed;
        Check(sent);
        // CPU time is what a loaded machine changes least: the work each side did for the file, not its wait for a core.
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"    parley: {elapsed.TotalSeconds:0.00} s; CPU sender {(Proc.CpuTime(alice.Process.Id) - cpu.Alice).TotalSeconds:0.00} s, receiver {(Proc.CpuTime(bob.Process.Id) - cpu.Bob).TotalSeconds:0.00} s"));
        return elapsed;
    }

    private static void Check(CliResult result)
    {
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"parley exited {result.ExitCode}: {result.Error}{result.Out}");
        }
    }

    private static TimeSpan Shell(string command)
    {
        var watch = Stopwatch.StartNew();
        Peers.Run("bash", "-c", command);
        return watch.Elapsed;
    }

    private static string Load() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    /// <summary>An integer option's value, or <paramref name="fallback"/> when it is not given (shared with <see cref="FileBench"/>).</summary>
    internal static int Option(string[] args, string name, int fallback) =>
        Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1], CultureInfo.InvariantCulture) : fallback;

    private static void MakeRandomFile(string path, long size)
    {
        using var stream = File.Create(path);
        var chunk = new byte[1 << 20];
        for (long written = 0; written < size; written += chunk.Length)
        {
            Random.Shared.NextBytes(chunk);
            stream.Write(chunk.AsSpan(0, (int)Math.Min(chunk.Length, size - written)));
        }
    }
}
