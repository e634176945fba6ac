using Parley.Node.Files;

namespace Parley.Bench;

/// <summary>
/// Where the bundle cut-off belongs (issue 22): 2,000 files of 4–200 KiB (the set where it matters: 1 KiB files are
/// bundled at any cut-off) sent by Parley with each sender cut-off in turn, the cut-offs taking turns at going first
/// each round, every copy kept until the run ends (see <see cref="FolderBench"/> for why).
/// <c>folders --cut-offs 16,32,64,128,256 [--rounds N]</c>.
/// </summary>
internal static class BundleCutOffBench
{
    public static async Task<int> RunAsync(int[] cutOffsKib, int rounds)
    {
        await using var nodes = await BenchNodes.StartAsync();
        await nodes.Bob.Files.SetAutoAcceptAsync(nodes.Alice.DeviceId, true);
        var random = new Random(22);
        var sizes = Enumerable.Range(0, 2000).Select(_ => random.Next(4, 201) * 1024).ToArray();
        var folder = Path.Combine(nodes.Root, "set-2000");
        FolderBench.MakeFolder(folder, sizes, random);
        Console.WriteLine($"2,000 files of 4-200 KiB ({sizes.Sum() / 1024.0 / 1024:0.0} MiB); files bundled at each cut-off: "
            + string.Join(", ", cutOffsKib.Select(k => $"{k} KiB {sizes.Count(s => s <= k * 1024)}")));
        var times = cutOffsKib.ToDictionary(k => k, _ => new List<TimeSpan>());
        var before = BundleSender.CutOffBytes;
        try
        {
            for (var round = 1; round <= rounds; round++)
            {
                var line = new List<string>();
                for (var i = 0; i < cutOffsKib.Length; i++)
                {
                    var kib = cutOffsKib[(i + round - 1) % cutOffsKib.Length];
                    BundleSender.CutOffBytes = kib * 1024;
                    var time = await FolderBench.TimeParleyAsync(nodes, folder, round, $"cut-{kib}");
                    times[kib].Add(time);
                    line.Add($"{kib} KiB {time.TotalMilliseconds:0} ms");
                }
                Console.WriteLine($"  round {round}: {string.Join("   ", line)}");
            }
        }
        finally
        {
            BundleSender.CutOffBytes = before;
        }
        foreach (var (kib, list) in times)
        {
            Console.WriteLine($"  cut-off {kib,3} KiB: best {list.Min().TotalMilliseconds:0} ms, median {list.Order().ElementAt(list.Count / 2).TotalMilliseconds:0} ms, worst {list.Max().TotalMilliseconds:0} ms");
        }
        return 0;
    }
}
