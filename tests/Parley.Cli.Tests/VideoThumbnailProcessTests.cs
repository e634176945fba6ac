using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Parley.Node;
using Parley.Testing;
using Xunit.Abstractions;

namespace Parley.Cli.Tests;

/// <summary>
/// Poster frames between two `parley up` processes: alice's node makes them with ffmpeg, bob's fetches
/// them over the link, and each is a JPEG ffprobe reads, turned as players turn the clip.
/// </summary>
public sealed class VideoThumbnailProcessTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-thumbs-cli-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private Task<NodeProcess> StartNode(string name, params string[] extra) =>
        NodeProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, name), ["--port", "0", "--api-port", "0", "--no-discovery", "--name", name, .. extra]);

    [Fact]
    public async Task The_viewer_fetches_each_frame_over_the_link_upright_as_players_show_the_clip()
    {
        var corpus = await VideoCorpus.FolderAsync();
        var folder = Path.Combine(_root, "shared");
        Directory.CreateDirectory(folder);
        // Phone clips stored 320x180 and shown 180x320, by two writers (an MP4 display matrix, a Matroska projection roll).
        foreach (var (from, to) in new[] { ("rotate-90.mp4", "phone.mp4"), ("rotate-90.mkv", "phone-mkv.mkv"), ("rotate-270.mp4", "other-way.mp4"), ("base.mp4", "film.mp4") })
        {
            File.Copy(Path.Combine(corpus, from), Path.Combine(folder, to));
        }
        await using var alice = await StartNode("alice", "--videos", folder);
        await alice.WaitForOutputAsync("videos     " + folder);
        await using var bob = await StartNode("bob");
        await NodeProcess.BefriendAsync(alice, bob);

        var clock = Stopwatch.StartNew();
        Dictionary<string, JsonElement> variants = [];
        while (variants.Count < 4 || variants.Values.Any(v => v.GetProperty("thumbnail").ValueKind != JsonValueKind.String))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "the frames were not made within 60 s:\n" + alice.Output);
            await Task.Delay(250);
            var list = await bob.CliAsync("videos", "alice", "--json");
            variants = list.Json.GetProperty("titles").EnumerateArray().SelectMany(t => t.GetProperty("variants").EnumerateArray())
                .ToDictionary(v => v.GetProperty("file").GetString()!);
        }
        output.WriteLine($"all four frames listed {clock.ElapsedMilliseconds} ms after the first list");

        using var api = await ApiAsync(bob);
        // ffprobe's rotation (what the list reports) turns the stored picture counter-clockwise to show it (av_display_rotation_get).
        foreach (var (file, turn) in new[] { ("phone.mp4", "transpose=cclock"), ("phone-mkv.mkv", "transpose=cclock"), ("other-way.mp4", "transpose=clock"), ("film.mp4", "null") })
        {
            var variant = variants[file];
            using var response = await api.GetAsync(variant.GetProperty("thumbnail").GetString()!.TrimStart('/'));
            response.EnsureSuccessStatusCode();
            Assert.Equal("image/jpeg", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("sandbox", response.Headers.GetValues("Content-Security-Policy").Single());
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            var jpeg = await response.Content.ReadAsByteArrayAsync();
            Assert.InRange(jpeg.Length, 500, 24 * 1024);
            var path = Path.Combine(_root, file + ".jpg");
            await File.WriteAllBytesAsync(path, jpeg);
            var facts = await TestVideos.ProbeAsync(path);
            var (width, height) = (variant.GetProperty("width").GetInt32(), variant.GetProperty("height").GetInt32());
            Assert.Equal(("mjpeg", width * 320 / Math.Max(width, height), height * 320 / Math.Max(width, height)), (facts.VideoCodec, facts.Width, facts.Height));

            // Turned the right way, not merely portrait: it matches the unturned picture turned by hand, and not the other way round.
            var at = Math.Min(variant.GetProperty("duration").GetDouble() / 10, 3);
            var shown = await GrayAsync(path, null, "null", facts.Width, facts.Height);
            var right = Difference(shown, await GrayAsync(Path.Combine(corpus, "base.mp4"), at, turn, facts.Width, facts.Height));
            var wrong = Difference(shown, await GrayAsync(Path.Combine(corpus, "base.mp4"), at, turn switch { "transpose=clock" => "transpose=cclock", "transpose=cclock" => "transpose=clock", _ => "vflip,hflip" }, facts.Width, facts.Height));
            output.WriteLine($"{file}: {jpeg.Length} bytes, {facts.Width}x{facts.Height}, difference from the picture turned right {right:0.0}, wrong {wrong:0.0}");
            Assert.True(right < 12 && wrong > 3 * right, $"{file}: difference {right:0.0} from the right turn, {wrong:0.0} from the wrong one");
            Assert.True(File.Exists(Path.Combine(bob.Home, "thumbnails", "seen", Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(jpeg)) + ".jpg")),
                "bob's node keeps what it fetched");
        }
        Assert.Equal(4, Directory.GetFiles(Path.Combine(alice.Home, "thumbnails", "made"), "*.jpg").Length);
    }

    private static async Task<HttpClient> ApiAsync(NodeProcess node)
    {
        var runtime = JsonSerializer.Deserialize<RuntimeInfo>(await File.ReadAllTextAsync(HomeFolder.RuntimePath(node.Home)), new JsonSerializerOptions(JsonSerializerDefaults.Web))!;
        var api = new HttpClient { BaseAddress = new Uri(runtime.ApiUrl + "/"), Timeout = TimeSpan.FromSeconds(30) };
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(HomeFolder.ApiKeyPath(node.Home))).Trim());
        return api;
    }

    /// <summary>A picture as 8-bit gray pixels at a small size, decoded by ffmpeg (at <paramref name="at"/> seconds for a video), after <paramref name="filter"/>.</summary>
    private async Task<byte[]> GrayAsync(string path, double? at, string filter, int width, int height)
    {
        var raw = Path.Combine(_root, Guid.NewGuid().ToString("N") + ".gray");
        var seek = at is { } s ? $"-ss {s.ToString("0.###", CultureInfo.InvariantCulture)} " : "";
        await TestVideos.RunAsync("ffmpeg", $"-hide_banner -loglevel error -y {seek}-i {path} -frames:v 1 -vf {filter},scale={width / 10}:{height / 10} -f rawvideo -pix_fmt gray {raw}");
        return await File.ReadAllBytesAsync(raw);
    }

    /// <summary>Mean absolute difference per pixel, 0 to 255.</summary>
    private static double Difference(byte[] a, byte[] b)
    {
        Assert.Equal(a.Length, b.Length);
        return a.Zip(b, (x, y) => Math.Abs(x - y)).Average();
    }
}
