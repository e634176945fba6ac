using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Parley.Core.Videos;
using Parley.Node.Videos;
using Parley.Testing;

namespace Parley.Node.Tests.Videos;

/// <summary>Two real nodes on loopback: alice shares a folder of ffmpeg-made videos, bob lists and streams them through his API.</summary>
public sealed class VideoStreamingTests : IAsyncLifetime
{
    private TestNode _alice = null!;
    private TestNode _bob = null!;
    private HttpClient _bobApi = null!;
    private HttpClient _aliceApi = null!;
    private string _folder = "";

    public async Task InitializeAsync()
    {
        _folder = Directory.CreateTempSubdirectory("parley-videos-").FullName;
        await TestVideos.CopyToAsync(_folder);
        File.Copy(Path.Combine(_folder, "dog_240p.mp4"), Path.Combine(_folder, "bird_480p.mp4")); // labelled 480p, really 240p
        await File.WriteAllTextAsync(Path.Combine(_folder, "broken.mp4"), "this is not a video");
        await File.WriteAllTextAsync(Path.Combine(_folder, "notes.txt"), "not listed at all");
        _alice = await TestNode.StartAsync("alice");
        _bob = await TestNode.StartAsync("bob");
        await TestNode.BefriendAsync(_alice, _bob);
        await _alice.Node.Videos.Sharing.ShareAsync(_folder);
        _aliceApi = Client(_alice);
        _bobApi = Client(_bob);
    }

    public async Task DisposeAsync()
    {
        _aliceApi.Dispose();
        _bobApi.Dispose();
        await _bob.DisposeAsync();
        await _alice.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private static HttpClient Client(TestNode node) => new(new SocketsHttpHandler { MaxConnectionsPerServer = 200 })
    {
        BaseAddress = node.Node.ApiUrl,
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", node.Node.ApiKey) },
    };

    private async Task<JsonElement> ListAsync() => await _bobApi.GetFromJsonAsync<JsonElement>($"/api/peers/{_alice.Id.Compact}/videos");

    private async Task<JsonElement> VariantAsync(string file) =>
        (await ListAsync()).GetProperty("titles").EnumerateArray().SelectMany(t => t.GetProperty("variants").EnumerateArray())
            .Single(v => v.GetProperty("file").GetString() == file);

    [Fact]
    public async Task The_list_groups_variants_by_title_with_facts_from_the_headers()
    {
        var list = await ListAsync();
        var titles = list.GetProperty("titles").EnumerateArray()
            .ToDictionary(t => t.GetProperty("title").GetString()!, t => t.GetProperty("variants").EnumerateArray().Select(v => v.GetProperty("label").GetString()).ToList());
        Assert.Equal(["bird", "cat", "dog"], titles.Keys.Order());
        Assert.Equal(["240p", "480p"], titles["dog"]);
        Assert.Equal(["240p", "480p"], titles["cat"]);
        Assert.Equal(["240p"], titles["bird"]);
        var unreadable = Assert.Single(list.GetProperty("unreadable").EnumerateArray());
        Assert.Equal("broken.mp4", unreadable.GetProperty("file").GetString());
        var cat = await VariantAsync("cat_480p.webm");
        Assert.Equal(("webm", "vp9", "opus", 854, 480), (cat.GetProperty("container").GetString(), cat.GetProperty("videoCodec").GetString(),
            cat.GetProperty("audioCodec").GetString(), cat.GetProperty("width").GetInt32(), cat.GetProperty("height").GetInt32()));
        Assert.InRange(cat.GetProperty("duration").GetDouble(), TestVideos.Seconds - 0.1, TestVideos.Seconds + 0.1);
        Assert.Equal(new FileInfo(Path.Combine(_folder, "cat_480p.webm")).Length, cat.GetProperty("size").GetInt64());
    }

    [Fact]
    public async Task Ranges_are_served_byte_for_byte_and_bad_ranges_as_http_says()
    {
        var variant = await VariantAsync("dog_480p.mp4");
        var url = variant.GetProperty("stream").GetString()!;
        var file = await File.ReadAllBytesAsync(Path.Combine(_folder, "dog_480p.mp4"));
        var size = file.Length;

        using (var whole = await _bobApi.GetAsync(url))
        {
            Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
            Assert.Equal("video/mp4", whole.Content.Headers.ContentType!.MediaType);
            Assert.True(whole.Headers.CacheControl!.NoStore);
            Assert.Equal(file, await whole.Content.ReadAsByteArrayAsync());
        }
        foreach (var (header, start, length) in new[] { ("bytes=0-99", 0, 100), ($"bytes={size - 300_000}-", size - 300_000, 300_000), ("bytes=-500", size - 500, 500), ("bytes=1000000-2999999", 1_000_000, 2_000_000) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.TryAddWithoutValidation("Range", header);
            using var response = await _bobApi.SendAsync(request);
            Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
            Assert.Equal($"bytes {start}-{start + length - 1}/{size}", response.Content.Headers.GetValues("Content-Range").Single());
            Assert.Equal(file.AsSpan(start, length).ToArray(), await response.Content.ReadAsByteArrayAsync());
        }
        foreach (var header in new[] { $"bytes={size}-", $"bytes={size + 10}-{size + 20}" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.TryAddWithoutValidation("Range", header);
            using var response = await _bobApi.SendAsync(request);
            Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, response.StatusCode);
            Assert.Equal($"bytes */{size}", response.Content.Headers.GetValues("Content-Range").Single());
        }
        foreach (var header in new[] { "bytes=abc-def", "bytes=9-5", "bytes=0-1,5-6", "items=0-5" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.TryAddWithoutValidation("Range", header);
            using var response = await _bobApi.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(size, (await response.Content.ReadAsByteArrayAsync()).Length);
        }
        using var head = await _bobApi.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));
        Assert.Equal((HttpStatusCode.OK, (long?)size), (head.StatusCode, head.Content.Headers.ContentLength));
    }

    [Fact]
    public async Task Ids_that_are_paths_or_from_another_library_get_a_clear_error()
    {
        await ListAsync();
        foreach (var id in new[] { "..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", Guid.NewGuid().ToString("N") })
        {
            using var response = await _bobApi.GetAsync($"/api/peers/{_alice.Id.Compact}/videos/{id}");
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Contains("no video", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
        }
        // An ID alice never issued, asked of alice directly (as a hostile viewer would), is refused by alice.
        var forged = new VideoVariant(Guid.NewGuid().ToString("N"), "x.mp4", 1000, "mp4", 1, "h264", 2, 2, null, null, null);
        var error = await Assert.ThrowsAsync<VideoException>(() => _bob.Node.Videos.Viewer.CopyRangeAsync(_alice.Id, forged, 0, 100, Stream.Null, CancellationToken.None));
        Assert.Equal(404, error.Status);
        Assert.Contains("no video with this ID", error.Message);
        var real = await VariantAsync("dog_240p.mp4");
        var pastEnd = new VideoVariant(real.GetProperty("id").GetString()!, "x", long.MaxValue, "mp4", 1, "h264", 2, 2, null, null, null);
        var tooFar = await Assert.ThrowsAsync<VideoException>(() => _bob.Node.Videos.Viewer.CopyRangeAsync(_alice.Id, pastEnd, real.GetProperty("size").GetInt64(), 10, Stream.Null, CancellationToken.None));
        Assert.Contains("past the end", tooFar.Message);
    }

    [Fact]
    public async Task Only_contacts_the_owner_allows_may_list()
    {
        var stream = (await VariantAsync("dog_240p.mp4")).GetProperty("stream").GetString()!;
        await _alice.Node.Videos.Sharing.Access.SetAsync(null, allowed: false);
        await AssertRefusedAsync("alice has not shared videos with you");
        using (var read = await _bobApi.GetAsync(stream))
        {
            // An ID bob got while allowed reads nothing once he is not.
            Assert.Equal(HttpStatusCode.Forbidden, read.StatusCode);
            Assert.Contains("has not shared videos with you", await read.Content.ReadAsStringAsync());
        }
        await _alice.Node.Videos.Sharing.Access.SetAsync(_bob.Id, allowed: true);
        await ListAsync();
        await _alice.Node.Videos.Sharing.Access.SetAsync(null, allowed: true);
        await _alice.Node.Videos.Sharing.Access.SetAsync(_bob.Id, allowed: false);
        await AssertRefusedAsync("alice has not shared videos with you");
        await _alice.Node.Videos.Sharing.Access.SetAsync(_bob.Id, allowed: true);
        await _alice.Node.Videos.Sharing.UnshareAsync();
        await AssertRefusedAsync("alice is not sharing videos");
    }

    private async Task AssertRefusedAsync(string error)
    {
        using var response = await _bobApi.GetAsync($"/api/peers/{_alice.Id.Compact}/videos");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal(error, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_hundred_concurrent_ranges_are_served_a_few_at_a_time()
    {
        var variant = await VariantAsync("dog_480p.mp4");
        var url = variant.GetProperty("stream").GetString()!;
        var size = variant.GetProperty("size").GetInt64();
        var results = await Task.WhenAll(Enumerable.Range(0, 100).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            var start = i * ((size - 65_536) / 100);
            request.Headers.Range = new RangeHeaderValue(start, start + 65_535);
            using var response = await _bobApi.SendAsync(request);
            return (response.StatusCode, (await response.Content.ReadAsByteArrayAsync()).Length);
        }));
        Assert.All(results, r => Assert.True(r is (HttpStatusCode.PartialContent, 65_536) or (HttpStatusCode.ServiceUnavailable, _), r.ToString()));
        Assert.True(results.Count(r => r.StatusCode == HttpStatusCode.PartialContent) >= PlayerStreams.MaxStreams);
        Assert.InRange(_alice.Node.Videos.Owner.Reads.Peak, 1, PlayerStreams.MaxStreams * VideoViewer.Window);
        await Wait.UntilAsync(() => _bob.Node.Videos.Streams.Active == 0, "streams to end");
    }

    [Fact]
    public async Task When_the_player_goes_away_the_owner_stops_reading_within_a_second()
    {
        var variant = await LongVideoAsync();
        using (var response = await _bobApi.GetAsync(variant.GetProperty("stream").GetString()!, HttpCompletionOption.ResponseHeadersRead))
        {
            await using var body = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[64 * 1024];
            for (var read = 0; read < 300_000;)
            {
                read += await body.ReadAsync(buffer);
            }
        }
        var stoppedAt = DateTime.UtcNow;
        await Wait.UntilAsync(() => _alice.Node.Videos.Owner.Reads.Active == 0 && _bob.Node.Videos.Streams.Active == 0, "reads to end");
        Assert.True(DateTime.UtcNow - stoppedAt < TimeSpan.FromSeconds(1), $"reads ended after {(DateTime.UtcNow - stoppedAt).TotalMilliseconds:F0} ms");
        var served = _alice.Node.Videos.Owner.BytesServed;
        await Task.Delay(1000);
        Assert.Equal(served, _alice.Node.Videos.Owner.BytesServed);
        Assert.True(served < 32 << 20, $"alice sent {served:N0} of 68 MiB to a player that took 300 KB");
    }

    [Fact]
    public async Task A_play_link_streams_without_a_session_and_dies_when_stopped()
    {
        var play = await (await _bobApi.PostAsJsonAsync("/api/play", new { peer = "alice", title = "cat", res = "240p" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("240p", play.GetProperty("label").GetString());
        var url = play.GetProperty("url").GetString()!;
        Assert.EndsWith("/cat_240p.webm", url, StringComparison.Ordinal);
        using var anonymous = new HttpClient();
        var bytes = await anonymous.GetByteArrayAsync(url);
        Assert.Equal(await File.ReadAllBytesAsync(Path.Combine(_folder, "cat_240p.webm")), bytes);
        var wrong = url.Replace("/play/", "/play/x", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(wrong)).StatusCode);
        using var noRes = await _bobApi.PostAsJsonAsync("/api/play", new { peer = "alice", title = "cat", res = "1080p" });
        Assert.Equal(HttpStatusCode.NotFound, noRes.StatusCode);
        Assert.Contains("has no 1080p variant", await noRes.Content.ReadAsStringAsync());
        Assert.Equal(1, (await (await _bobApi.DeleteAsync("/api/play")).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("stopped").GetInt32());
        using var after = await anonymous.GetAsync(url);
        Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
        Assert.Contains("parley play", await after.Content.ReadAsStringAsync());
    }

    /// <summary>A video big enough that socket buffers cannot swallow it: the 480p test video with a 64 MiB 'free' box of varied bytes after it.</summary>
    private async Task<JsonElement> LongVideoAsync()
    {
        var big = Path.Combine(_folder, "long_480p.mp4");
        File.Copy(Path.Combine(_folder, "dog_480p.mp4"), big);
        await using (var tail = new FileStream(big, FileMode.Append))
        {
            tail.Write([0x04, 0x00, 0x00, 0x00, .. "free"u8]);
            var chunk = new byte[1 << 20];
            for (var i = 0; i < 64; i++)
            {
                new Random(i).NextBytes(chunk);
                tail.Write(chunk.AsSpan(0, i == 63 ? chunk.Length - 8 : chunk.Length));
            }
        }
        return await VariantAsync("long_480p.mp4");
    }

    [Fact]
    public async Task A_stream_goes_on_over_the_new_link_when_the_link_drops()
    {
        var variant = await LongVideoAsync();
        await using var file = File.OpenRead(Path.Combine(_folder, "long_480p.mp4"));
        using var response = await _bobApi.GetAsync(variant.GetProperty("stream").GetString()!, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64 * 1024];
        var expected = new byte[buffer.Length];
        long position = 0;
        Parley.Core.Links.IPeerLink? dropped = null;
        int n;
        while ((n = await body.ReadAsync(buffer)) > 0)
        {
            await file.ReadExactlyAsync(expected.AsMemory(0, n));
            Assert.True(buffer.AsSpan(0, n).SequenceEqual(expected.AsSpan(0, n)), $"bytes differ at {position:N0}");
            position += n;
            if (dropped is null && position > 1_000_000)
            {
                dropped = _alice.Node.Links.Session(_bob.Id)!.Link;
                await dropped.CloseAsync(Parley.Core.Protocol.CloseCode.TimedOut, "test: the network blinked");
            }
        }
        Assert.Equal(file.Length, position);
        Assert.NotSame(dropped, _alice.Node.Links.Session(_bob.Id)?.Link);
    }
}
