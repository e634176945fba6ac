using System.Diagnostics;
using Parley.Node.Files;
using static Parley.Node.Tests.Files.TransferTestKit;

namespace Parley.Node.Tests.Files;

/// <summary>
/// Chat stays responsive while a folder of small files lands (issue 22: "chat p99 stays under 50 ms during a
/// 10,000-file transfer"): hashing and landing run beside the link's receive loop (<see cref="ReceivePipeline"/>),
/// so a chat frame is not held behind a batch of file creations. Two real nodes in this process over loopback,
/// sharing its thread pool (harsher than two processes).
/// </summary>
[Collection(LatencyMeasured.Name)]
public sealed class ChatDuringFolderTests : TwoContacts
{
    /// <summary>The figure for chat p99 during the transfer.</summary>
    private static readonly double TargetMs = 50;

    /// <summary>Round trips measured for each baseline (quiet; cores busy, before and after the transfer).</summary>
    private const int BaselineSamples = 150;

    /// <summary>Fewer samples during the transfer than this and a p99 is only the maximum: the test fails rather than judges on it.</summary>
    private const int MinimumSamplesDuring = 100;

    private readonly string _work = Directory.CreateTempSubdirectory("parley-chat-folder-").FullName;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    /// <summary>
    /// The structure: with the receiver's landing stalled outright (the test holds its transfer's gate, which every bundle's
    /// landing takes), chat still goes both ways and is delivered, and no file lands meanwhile. Were file work done in the
    /// link's receive loop, the chat frames would wait behind the stalled bundle until the gate opened.
    /// </summary>
    [Fact]
    public async Task Chat_WhileTheReceiversLandingIsStalled_IsStillDelivered_BothWays()
    {
        var folder = MakeFolder("stalled", 3000);
        var (sent, _) = await Alice.Node.Files.OfferAsync(Bob.Id, [folder]);
        var offer = await WaitForOfferAsync(Bob, sent.Id);
        await Bob.Node.Files.AcceptAsync(offer, Inbox);
        await Wait.UntilAsync(() => offer.FilesDone > 0, "the first bundle to land");
        await offer.Gate.WaitAsync();
        int landed;
        try
        {
            landed = offer.FilesDone;
            await Task.Delay(300); // bundles arrive meanwhile and wait for the gate
            var toBob = await Alice.Node.Chat.SendAsync(Bob.Id, "while nothing lands");
            var toAlice = await Bob.Node.Chat.SendAsync(Alice.Id, "and back");
            await Wait.UntilAsync(async () => (await Bob.HistoryWith(Alice)).Any(m => m.Id == toBob.Id), "alice's message at bob");
            await Wait.UntilAsync(async () => (await Alice.HistoryWith(Bob)).Any(m => m.Id == toAlice.Id), "bob's message at alice");
            Assert.Equal(landed, offer.FilesDone);
            Assert.False(offer.IsFinal);
        }
        finally
        {
            offer.Gate.Release();
        }
        await WaitForStateAsync(offer, TransferState.Completed);
        Assert.True(offer.FilesDone > landed);
    }

    /// <summary>
    /// The figure: chat round trips (send, then the receiver's ack) while 10,000 files of 1 KiB land, p99 under 50 ms.
    /// A timing figure alone flakes on a loaded 2-core CI, so the escape hatch is the same run's own measure of the
    /// machine: round trips with nothing moving over the link or the disk while this process keeps as many threads busy
    /// as there are cores (about what a transfer's reading, hashing and landing ask for), before and after the transfer.
    /// Only when that baseline's p99 is itself slow does the bound grow, to 3x the slower of the two. The samples must really have come while files were landing.
    /// </summary>
    [Fact]
    public async Task Chat_WhileTenThousandSmallFilesLand_P99StaysUnder50ms_OrThreeTimesTheMachinesP99()
    {
        var folder = MakeFolder("many", 10_000);
        await Bob.Node.Files.SetDownloadFolderAsync(Inbox);
        TaskCompletionSource? delivered = null;
        Alice.Node.Chat.Delivered += _ => delivered?.TrySetResult();
        async Task<double> RoundTripAsync(string text)
        {
            delivered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var start = Stopwatch.GetTimestamp();
            await Alice.Node.Chat.SendAsync(Bob.Id, text);
            await delivered.Task.WaitAsync(TimeSpan.FromSeconds(30));
            return Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        }

        var quiet = new List<double>();
        for (var i = 0; i < BaselineSamples; i++)
        {
            quiet.Add(await RoundTripAsync($"quiet {i}"));
            await Task.Delay(5);
        }
        var busy = new List<double>();
        await BusyRoundTripsAsync(busy, RoundTripAsync, "busy");
        var (sent, _) = await Alice.Node.Files.OfferAsync(Bob.Id, [folder]);
        var offer = await WaitForOfferAsync(Bob, sent.Id);
        await Bob.Node.Files.AcceptAsync(offer, Inbox);
        var during = new List<double>();
        var slowest = new List<(double Ms, int FilesDoneBefore)>();
        var landing = 0;
        var total = offer.Files.Count;
        for (var i = 0; !offer.IsFinal && i < 100_000; i++)
        {
            var done = offer.FilesDone;
            var took = await RoundTripAsync($"during {i}");
            if (!offer.IsFinal)
            {
                during.Add(took);
                slowest.Add((took, done));
                landing += done > 0 && offer.FilesDone < total ? 1 : 0;
            }
            await Task.Delay(2); // as bench/ folders does: enough round trips for a p99 of a transfer that takes a second or two
        }
        await WaitForStateAsync(offer, TransferState.Completed);
        var busyAfter = new List<double>();
        await BusyRoundTripsAsync(busyAfter, RoundTripAsync, "busy after");

        var busyP99 = Math.Max(P99(busy), P99(busyAfter)); // the machine's load may come and go: the slower of before and after
        var duringP99 = during.Count == 0 ? double.NaN : P99(during);
        var bound = Math.Max(TargetMs, 3 * busyP99);
        var figures = $"during: {during.Count} round trips, p99 {duringP99:0.0} ms (max {during.DefaultIfEmpty().Max():0.0}); "
            + $"quiet p99 {P99(quiet):0.0} ms; cores busy, nothing moving: p99 {busyP99:0.0} ms; bound {bound:0.0} ms; slowest (ms, files done before): "
            + string.Join(", ", slowest.OrderByDescending(x => x.Ms).Take(5).Select(x => $"{x.Ms:0} at {x.FilesDoneBefore}"));
        Console.WriteLine(figures); // the figure, for whoever reads the test log
        Assert.True(during.Count >= MinimumSamplesDuring, "too few round trips during the transfer to judge: " + figures);
        Assert.True(landing >= MinimumSamplesDuring / 2, $"only {landing} round trips came while files were landing: " + figures);
        Assert.True(duringP99 < bound, figures);
        Assert.Equal(10_000, Directory.EnumerateFiles(Path.Combine(Inbox, "many"), "*", SearchOption.AllDirectories).Count());
    }

    /// <summary><see cref="BaselineSamples"/> round trips while as many threads as cores spin in this process, nothing moving over the link or the disk.</summary>
    private static async Task BusyRoundTripsAsync(List<double> samples, Func<string, Task<double>> roundTrip, string label)
    {
        using var burn = new CancellationTokenSource();
        var burners = Enumerable.Range(0, Environment.ProcessorCount).Select(_ => Task.Factory.StartNew(() =>
        {
            while (!burn.IsCancellationRequested)
            {
                Thread.SpinWait(1000);
            }
        }, TaskCreationOptions.LongRunning)).ToArray();
        for (var i = 0; i < BaselineSamples; i++)
        {
            samples.Add(await roundTrip($"{label} {i}"));
            await Task.Delay(5);
        }
        await burn.CancelAsync();
        await Task.WhenAll(burners);
    }

    private string Inbox => Path.Combine(_work, "inbox");

    /// <summary>A folder of <paramref name="count"/> files of 1 KiB, 1,000 a subfolder.</summary>
    private string MakeFolder(string name, int count)
    {
        var folder = Path.Combine(_work, name);
        var random = new Random(22);
        var bytes = new byte[1024];
        for (var i = 0; i < count; i++)
        {
            var path = Path.Combine(folder, $"d{i / 1000}", $"f{i:D5}.bin");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            random.NextBytes(bytes);
            File.WriteAllBytes(path, bytes);
        }
        return folder;
    }

    private static double P99(List<double> samples)
    {
        var sorted = samples.Order().ToList();
        return sorted[(int)Math.Ceiling(sorted.Count * 0.99) - 1];
    }
}

/// <summary>Tests that measure chat latency against a baseline of the same process: other tests' transfers beside them would be in one figure and not the other, so they run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LatencyMeasured
{
    public const string Name = "latency measured";
}
