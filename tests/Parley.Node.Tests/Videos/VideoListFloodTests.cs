using System.Diagnostics;
using Parley.Core.Protocol;
using Parley.Core.Videos;
using Parley.Node.Tests.Security;
using Parley.Testing;
using Xunit.Abstractions;

namespace Parley.Node.Tests.Videos;

/// <summary>
/// A contact allowed to watch asks for the owner's library again and again and never reads: each
/// 10-byte request used to queue a fresh copy of the whole catalog.
/// </summary>
[Collection(MemoryMeasured.Name)]
public sealed class VideoListFloodTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Requests = 15_000;
    private readonly string _folder = Directory.CreateTempSubdirectory("parley-video-flood-").FullName;
    private TestNode _owner = null!;
    private TestNode _alice = null!;
    private AttackerLink _mallory = null!;

    public async Task InitializeAsync()
    {
        // About 24 KB of catalog: files that are listed (as unreadable) under long names.
        for (var i = 0; i < 100; i++)
        {
            await File.WriteAllTextAsync(Path.Combine(_folder, $"{i:D3}-{new string('v', 150)}.mp4"), "not a video");
        }
        _owner = await TestNode.StartAsync("owner");
        await _owner.Node.Videos.Sharing.ShareAsync(_folder);
        _alice = await TestNode.StartAsync("alice");
        await TestNode.BefriendAsync(_owner, _alice);
        _mallory = await ContactAttacker.ConnectAsync(_owner);
    }

    public async Task DisposeAsync()
    {
        await _mallory.DisposeAsync();
        _mallory.Identity.Dispose();
        await _alice.DisposeAsync();
        await _owner.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task ListRequestsNeverRead_KeepTheOwnersHeapBounded_AndAContactsChatArrivesWithinASecond()
    {
        Assert.InRange(_owner.Node.Videos.Sharing.OwnCatalog().ToArray().Length, 20_000, 40_000);
        var before = GC.GetTotalMemory(forceFullCollection: true);

        var request = FrameWriter.ToArray(FrameType.VideoListRequest, 0, new VideoRequestId(1).ToArray());
        Assert.True(await _mallory.FloodAsync(request, Requests, TimeSpan.FromSeconds(10)) >= Requests);

        var clock = Stopwatch.StartNew();
        var message = await _alice.Node.Chat.SendAsync(_owner.Id, "still there?");
        await Wait.UntilAsync(async () => (await _owner.HistoryWith(_alice)).Any(m => m.Id == message.Id), "alice's message");
        var chat = clock.Elapsed;
        Assert.InRange(chat, TimeSpan.Zero, TimeSpan.FromSeconds(1));

        // While the owner works through the requests its heap grows by a few catalogs at most (it was 15,000 of them: 360 MB).
        long peak = 0;
        for (var i = 0; i < 12; i++)
        {
            await Task.Delay(250);
            peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - before);
        }
        Assert.InRange(peak, long.MinValue, 64L << 20);

        // Another contact still gets the library. Mallory, reading at last (if the owner has not closed
        // her link for not reading), finds her requests refused as busy while her one list was on its way.
        Assert.Equal(100, (await _alice.Node.Videos.Viewer.ListAsync(_owner.Id)).Unreadable.Count);
        var heard = await _mallory.RoundTripAsync(TimeSpan.FromSeconds(60));
        var busy = heard?.Count(f => f.Type == FrameType.VideoError && WireMessage.Read<VideoError>(f.Payload).Code == VideoRefusal.Busy);
        output.WriteLine($"heap growth peak {peak / 1024} KiB, chat {chat.TotalMilliseconds:0} ms, busy refusals {busy}");
        if (busy is { } refused)
        {
            Assert.InRange(refused, Requests - 200, Requests + 64);
        }
    }
}
