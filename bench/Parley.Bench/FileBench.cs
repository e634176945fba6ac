using System.Diagnostics;
using System.Text.Json;
using Parley.Node.Files;

namespace Parley.Bench;

/// <summary>
/// File transfer between two nodes on loopback, beside scp (aes128-gcm, to a local sshd) and an
/// iperf3 single stream moving the same bytes in the same run; then many small files against one
/// file of the same total; then chat round trips while a big transfer runs.
/// </summary>
internal static class FileBench
{
    public static async Task<int> RunAsync(string[] args)
    {
        var mib = FileProcessBench.Option(args, "--size-mib", 1024);
        var rounds = FileProcessBench.Option(args, "--rounds", 3);
        await using var nodes = await BenchNodes.StartAsync();
        await nodes.Bob.Files.SetAutoAcceptAsync(nodes.Alice.DeviceId, true);
        await nodes.Bob.Files.SetDownloadFolderAsync(Path.Combine(nodes.Root, "received"));
        var source = Path.Combine(nodes.Root, "big.bin");
        await MakeRandomFileAsync(source, (long)mib << 20);

        // Parley and scp take turns at going first (the disk's writeback of one arm's copy slows whichever comes next),
        // each ends synced, and every round is printed with its ratio: the worst round beside the best.
        Console.WriteLine($"one file of {mib} MiB over loopback, {rounds} rounds, parley and scp alternating");
        var ratios = new List<double>();
        for (var round = 1; round <= rounds; round++)
        {
            TimeSpan? parley = null, scp = null;
            foreach (var arm in round % 2 == 1 ? new[] { "parley", "scp" } : ["scp", "parley"])
            {
                if (arm == "parley")
                {
                    parley = await TimeTransferAsync(nodes, [source]);
                }
                else
                {
                    scp = Peers.Scp(source);
                }
            }
            Report($"round {round}: parley send (TLS 1.3, SHA-256 per block, fsync)", mib, parley!.Value);
            if (scp is { } scpTime)
            {
                Report($"round {round}: scp -c aes128-gcm@openssh.com, then sync of its copy", mib, scpTime);
                ratios.Add(scpTime.TotalSeconds / parley.Value.TotalSeconds);
                Console.WriteLine($"  round {round}: parley/scp rate {ratios[^1]:0.00}x");
            }
        }
        if (ratios.Count > 0)
        {
            Console.WriteLine($"  parley/scp rate: worst {ratios.Min():0.00}x, best {ratios.Max():0.00}x");
        }
        if (Peers.Iperf3((long)mib << 20) is { } iperfTime)
        {
            Report("iperf3 single stream, no encryption", mib, iperfTime);
        }

        Console.WriteLine("10,000 files of 1 KiB against one file of 10,000 KiB");
        var many = Path.Combine(nodes.Root, "many");
        Directory.CreateDirectory(many);
        for (var i = 0; i < 10_000; i++)
        {
            await File.WriteAllBytesAsync(Path.Combine(many, $"f{i:D5}.bin"), RandomBytes(1024));
        }
        var one = Path.Combine(nodes.Root, "one.bin");
        await MakeRandomFileAsync(one, 10_000 * 1024L);
        var oneTime = await TimeTransferAsync(nodes, [one]);
        var manyTime = await TimeTransferAsync(nodes, [many]);
        Console.WriteLine($"  received on disk:  one file {oneTime.TotalMilliseconds:0} ms   10,000 files {manyTime.TotalMilliseconds:0} ms   ratio {manyTime / oneTime:0.00}x");
        var copy = Stopwatch.StartNew();
        CopyFolder(many, Path.Combine(nodes.Root, "copied"));
        Console.WriteLine($"  the disk's floor: copying the 10,000 files locally (create + write each) takes {copy.ElapsedMilliseconds} ms");
        // The same on tmpfs shows Parley's own per-file cost without this disk's cost of creating a file.
        var memory = Directory.CreateTempSubdirectory("parley-bench-").FullName;
        if (Directory.Exists("/dev/shm"))
        {
            memory = Directory.CreateDirectory(Path.Combine("/dev/shm", Path.GetFileName(memory))).FullName;
        }
        try
        {
            await nodes.Bob.Files.SetDownloadFolderAsync(memory);
            var oneInMemory = await TimeTransferAsync(nodes, [one]);
            var manyInMemory = await TimeTransferAsync(nodes, [many]);
            Console.WriteLine($"  received on tmpfs: one file {oneInMemory.TotalMilliseconds:0} ms   10,000 files {manyInMemory.TotalMilliseconds:0} ms   ratio {manyInMemory / oneInMemory:0.00}x");
        }
        finally
        {
            Directory.Delete(memory, recursive: true);
            await nodes.Bob.Files.SetDownloadFolderAsync(Path.Combine(nodes.Root, "received"));
        }

        Console.WriteLine($"chat round trips while {mib} MiB moves");
        var (p50, p99, count) = await ChatDuringTransferAsync(nodes, source);
        Console.WriteLine($"  {count} round trips: p50 {p50:0.00} ms   p99 {p99:0.00} ms");
        return 0;
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }
    }

    private static void Report(string what, int mib, TimeSpan time) =>
        Console.WriteLine($"  {what,-62} {time.TotalSeconds,7:0.00} s  {mib / time.TotalSeconds,8:0.0} MiB/s");

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }

    private static async Task MakeRandomFileAsync(string path, long size)
    {
        await using var stream = File.Create(path);
        var chunk = RandomBytes(1 << 20);
        for (long written = 0; written < size; written += chunk.Length)
        {
            await stream.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, size - written)));
        }
    }

    /// <summary>From offer to the sender hearing every file verified (auto-accept on the receiver).</summary>
    private static async Task<TimeSpan> TimeTransferAsync(BenchNodes nodes, string[] paths)
    {
        var watch = Stopwatch.StartNew();
        var (transfer, _) = await nodes.Alice.Files.OfferAsync(nodes.Bob.DeviceId, paths);
        while (!transfer.IsFinal)
        {
            await Task.Delay(5);
        }
        if (transfer.State != TransferState.Completed)
        {
            throw new InvalidOperationException($"transfer ended {transfer.State}: {transfer.Error}");
        }
        return watch.Elapsed;
    }

    private static async Task<(double P50, double P99, int Count)> ChatDuringTransferAsync(BenchNodes nodes, string source)
    {
        TaskCompletionSource? current = null;
        nodes.Alice.Chat.Delivered += _ => current?.TrySetResult();
        var (transfer, _) = await nodes.Alice.Files.OfferAsync(nodes.Bob.DeviceId, [source]);
        var samples = new List<double>();
        while (!transfer.IsFinal && samples.Count < 100_000)
        {
            current = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var start = Stopwatch.GetTimestamp();
            await nodes.Alice.Chat.SendAsync(nodes.Bob.DeviceId, "ping during transfer");
            await current.Task.WaitAsync(TimeSpan.FromSeconds(30));
            samples.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            await Task.Delay(2);
        }
        samples.Sort();
        return (samples[samples.Count / 2], samples[(int)Math.Ceiling(samples.Count * 0.99) - 1], samples.Count);
    }
}
