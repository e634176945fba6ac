using System.Globalization;
using Parley.Testing;

namespace Parley.Cli.Tests;

/// <summary>`parley up --videos`, `parley videos` and `parley play` between two real processes, checked against ffprobe.</summary>
public sealed class VideoProcessTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-videos-cli-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private Task<NodeProcess> StartNode(string name, params string[] extra) =>
        NodeProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, name), ["--port", "0", "--api-port", "0", "--no-discovery", "--name", name, .. extra]);

    [Fact]
    public async Task The_list_matches_ffprobe_and_a_play_url_opens_in_ffprobe_until_stopped()
    {
        var folder = Path.Combine(_root, "shared");
        await TestVideos.CopyToAsync(folder);
        File.Copy(Path.Combine(folder, "dog_240p.mp4"), Path.Combine(folder, "bird_480p.mp4")); // mislabelled
        await using var alice = await StartNode("alice", "--videos", folder);
        await alice.WaitForOutputAsync("videos     " + folder);
        await using var bob = await StartNode("bob");
        await NodeProcess.BefriendAsync(alice, bob);

        var list = await bob.CliAsync("videos", "alice", "--json");
        Assert.Equal(0, list.ExitCode);
        var variants = list.Json.GetProperty("titles").EnumerateArray().SelectMany(t => t.GetProperty("variants").EnumerateArray()).ToList();
        Assert.Equal(5, variants.Count);
        foreach (var variant in variants)
        {
            var truth = await TestVideos.ProbeAsync(Path.Combine(folder, variant.GetProperty("file").GetString()!));
            Assert.Equal((truth.Width, truth.Height), (variant.GetProperty("width").GetInt32(), variant.GetProperty("height").GetInt32()));
            Assert.Equal($"{truth.Height}p", variant.GetProperty("label").GetString());
            Assert.InRange(variant.GetProperty("duration").GetDouble(), truth.Duration - 0.05, truth.Duration + 0.05);
            Assert.Equal(truth.VideoCodec, variant.GetProperty("videoCodec").GetString());
        }
        var table = await bob.CliAsync("videos", "alice");
        Assert.Contains("bird_480p.mp4", table.Out);
        Assert.Matches(@"bird\s+240p\s+426x240", table.Out);
        Assert.Matches(@"dog\s+240p[^\n]*\n\s+480p\s+854x480\s+0:00:10\.0\s+mp4\s+h264/aac", table.Out);

        var play = await bob.CliAsync("play", "alice", "cat", "--res", "480p");
        Assert.Equal(0, play.ExitCode);
        var url = play.Out.Trim();
        Assert.Matches(@"^http://127\.0\.0\.1:\d+/play/[A-Za-z0-9_-]{43}/cat_480p\.webm$", url);
        var played = await TestVideos.ProbeAsync(url);
        Assert.Equal((854, 480, "vp9"), (played.Width, played.Height, played.VideoCodec));
        Assert.InRange(played.Duration, TestVideos.Seconds - 0.1, TestVideos.Seconds + 0.1);
        Assert.Equal(250, played.VideoFrames);

        var stop = await bob.CliAsync("play", "--stop");
        Assert.Contains("stopped 1 play link", stop.Out);
        await Assert.ThrowsAsync<InvalidOperationException>(() => TestVideos.ProbeAsync(url));

        var missing = await bob.CliAsync("play", "alice", "horse");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("no title 'horse'", missing.Error);

        Assert.Contains("sharing " + folder, (await alice.CliAsync("videos")).Out);
        await alice.CliAsync("videos", "deny", "bob");
        var denied = await bob.CliAsync("videos", "alice");
        Assert.NotEqual(0, denied.ExitCode);
        Assert.Contains("alice has not shared videos with you", denied.Error);
        await alice.CliAsync("videos", "unshare");
        Assert.Contains("not sharing videos", (await alice.CliAsync("videos")).Out);
    }

    [Fact]
    public async Task Turned_cut_and_twin_files_are_listed_as_players_see_them_and_each_twin_can_be_played()
    {
        var corpus = await VideoCorpus.FolderAsync();
        var folder = Path.Combine(_root, "field");
        Directory.CreateDirectory(folder);
        const string Phone = "a phone clip held upright at the beach";
        File.Copy(Path.Combine(corpus, "rotate-90.mp4"), Path.Combine(folder, Phone + ".mp4"));
        File.Copy(Path.Combine(corpus, "base.mp4"), Path.Combine(folder, "film.mp4"));
        File.Copy(Path.Combine(corpus, "base.mkv"), Path.Combine(folder, "film.mkv"));
        File.Copy(Path.Combine(corpus, "cut.mkv"), Path.Combine(folder, "half.mkv"));
        await using var alice = await StartNode("alice", "--videos", folder);
        await alice.WaitForOutputAsync("videos     " + folder);
        await using var bob = await StartNode("bob");
        await NodeProcess.BefriendAsync(alice, bob);

        var list = await bob.CliAsync("videos", "alice", "--json");
        var variants = list.Json.GetProperty("titles").EnumerateArray().SelectMany(t => t.GetProperty("variants").EnumerateArray())
            .ToDictionary(v => v.GetProperty("file").GetString()!);
        var phone = variants[Phone + ".mp4"];
        Assert.Equal((180, 320, 320, 180, 90, "180p"), (phone.GetProperty("width").GetInt32(), phone.GetProperty("height").GetInt32(),
            phone.GetProperty("storedWidth").GetInt32(), phone.GetProperty("storedHeight").GetInt32(), phone.GetProperty("rotation").GetInt32(),
            phone.GetProperty("label").GetString()));
        Assert.False(variants["half.mkv"].GetProperty("complete").GetBoolean());
        Assert.True(variants["film.mkv"].GetProperty("complete").GetBoolean());

        // The table lines up however long a title is, and says what is turned and what is cut short.
        var table = (await bob.CliAsync("videos", "alice")).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var labelColumns = table.Select(line => line.IndexOf("180p", StringComparison.Ordinal)).Where(at => at >= 0).Distinct().ToList();
        Assert.Single(labelColumns);
        Assert.Contains(table, line => line.Contains(Phone, StringComparison.Ordinal) && line.Contains("180x320", StringComparison.Ordinal) && line.Contains("rotated 90", StringComparison.Ordinal));
        Assert.Contains(table, line => line.Contains("half.mkv", StringComparison.Ordinal) && line.Contains("incomplete", StringComparison.Ordinal));

        // Two files of one title at one resolution: each can be picked, and a wrong pick lists both.
        foreach (var (choice, file) in new[] { ("mkv", "film.mkv"), ("mp4", "film.mp4"), ("opus", "film.mkv") })
        {
            var play = await bob.CliAsync("play", "alice", "film", "--variant", choice);
            Assert.Equal(0, play.ExitCode);
            Assert.EndsWith("/" + file, play.Out.Trim(), StringComparison.Ordinal);
        }
        var wrong = await bob.CliAsync("play", "alice", "film", "--variant", "flac");
        Assert.NotEqual(0, wrong.ExitCode);
        Assert.Contains("film.mkv", wrong.Error, StringComparison.Ordinal);
        Assert.Contains("film.mp4", wrong.Error, StringComparison.Ordinal);
        await bob.CliAsync("play", "--stop");
    }
}
