using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Parley.Testing;

namespace Parley.Cli.Tests;

/// <summary>
/// `parley call --video` to a node answering with `parley answer --record`: the recording holds the
/// call, by ffprobe: the video, and what was heard (alice's tone) as an Opus track that is not silence.
/// </summary>
public sealed class CallProcessTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-call-cli-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private Task<NodeProcess> StartNode(string name) =>
        NodeProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, name), "--port", "0", "--api-port", "0", "--no-discovery", "--name", name);

    /// <summary>Alice calls bob with <paramref name="callArgs"/>; bob answers with --record into <paramref name="recording"/>.</summary>
    private async Task<(CliResult Call, CliResult Answered, TimeSpan Took)> RecordedCallAsync(string recording, params string[] callArgs)
    {
        await using var alice = await StartNode("alice");
        await using var bob = await StartNode("bob");
        await NodeProcess.BefriendAsync(alice, bob);
        var answer = bob.CliAsync("answer", "--record", recording);
        var clock = Stopwatch.StartNew();
        var call = await alice.CliAsync(["call", "bob", .. callArgs]);
        return (call, await answer, clock.Elapsed);
    }

    [Fact]
    public async Task A_terminal_video_call_is_recorded_with_the_expected_duration_and_frames()
    {
        var recording = Path.Combine(_root, "call.webm");
        var (call, answered, took) = await RecordedCallAsync(recording, "--video", "--seconds", "4");
        Assert.True(call.ExitCode == 0, call.Error + call.Out);
        Assert.Contains("in a call with bob (vp8)", call.Out);
        Assert.True(call.Out.Contains("call ended: hung up", StringComparison.Ordinal), call.Out + "\n--- bob:\n" + answered.Out + answered.Error);
        Assert.True(answered.ExitCode == 0, answered.Error + answered.Out);
        Assert.Contains("call ended: hung up", answered.Out);
        Assert.Matches(@"recorded \d+ video frames", answered.Out);

        var facts = await TestVideos.ProbeAsync(recording);
        Assert.Equal(("vp8", 640, 360), (facts.VideoCodec, facts.Width, facts.Height));
        // Every frame alice's ffmpeg made is in bob's recording (a loaded machine makes fewer than 30 a second; the path loses none).
        var sent = int.Parse(Regex.Match(call.Out, @"sent (\d+) video and").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(facts.VideoFrames >= sent - 3 && facts.VideoFrames <= sent, $"{facts.VideoFrames} frames recorded of {sent} sent\n{call.Out}\n--- bob:\n{answered.Out}");
        Assert.True(sent >= 10, $"only {sent} frames in four seconds");
        Assert.InRange(facts.Duration, (sent - 1) / 30.0 - 0.5, 4.6);
        Assert.True(took < TimeSpan.FromSeconds(30));

        Assert.True(facts.AudioCodec == "opus", $"the recording's audio: {facts.AudioCodec ?? "none"}\n{answered.Out}");
        var (volume, audioSeconds) = await HeardAsync(recording);
        Assert.True(volume > -40, $"the recorded audio's mean volume is {volume} dB: silence");
        Assert.InRange(audioSeconds, 2.5, 4.6);
    }

    [Fact]
    public async Task A_terminal_voice_call_is_recorded_with_what_was_heard()
    {
        var recording = Path.Combine(_root, "voice.webm");
        var (call, answered, _) = await RecordedCallAsync(recording, "--seconds", "3");
        Assert.True(call.ExitCode == 0 && answered.ExitCode == 0, call.Error + call.Out + "\n--- bob:\n" + answered.Error + answered.Out);
        Assert.Matches(@"recorded 0 video frames and \d+ audio packets", answered.Out);
        var (volume, seconds) = await HeardAsync(recording);
        Assert.True(volume > -40, $"the recorded audio's mean volume is {volume} dB: silence");
        Assert.InRange(seconds, 1.5, 3.6);
    }

    /// <summary>The audio track's mean volume (dB, ffmpeg's volumedetect) and how long it plays.</summary>
    private static async Task<(double MeanDb, double Seconds)> HeardAsync(string path)
    {
        using var ffmpeg = Process.Start(new ProcessStartInfo("ffmpeg", $"-hide_banner -nostdin -i \"{path}\" -map 0:a -af volumedetect -f null -") { RedirectStandardError = true })!;
        var log = await ffmpeg.StandardError.ReadToEndAsync();
        await ffmpeg.WaitForExitAsync();
        var mean = Regex.Match(log, @"mean_volume: (-?[\d.]+) dB");
        var time = Regex.Matches(log, @"time=(\d+):(\d+):([\d.]+)");
        Assert.True(mean.Success && time.Count > 0, log);
        var last = time[^1].Groups;
        var seconds = (int.Parse(last[1].Value, CultureInfo.InvariantCulture) * 3600) + (int.Parse(last[2].Value, CultureInfo.InvariantCulture) * 60)
            + double.Parse(last[3].Value, CultureInfo.InvariantCulture);
        return (double.Parse(mean.Groups[1].Value, CultureInfo.InvariantCulture), seconds);
    }
}
