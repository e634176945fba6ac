using System.Globalization;
using System.Text.RegularExpressions;
using Parley.Testing;

namespace Parley.EndToEnd.Tests;

/// <summary>
/// Terminal calls between two namespaces 40 ms apart (a round trip; this kernel has no netem, so a
/// <see cref="DelayBridge"/> holds every frame 20 ms each way) whose UDP loses packets (iptables
/// statistic) or goes dark for 2 s: alice calls with ffmpeg's test pattern and tone, bob answers and
/// records; the recording is read back with ffprobe.
/// </summary>
public sealed class CallOverLossyLinkTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-lossy-call-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static readonly TimeSpan OneWay = TimeSpan.FromMilliseconds(20);

    private sealed record CallResult(int SentVideo, int SentAudio, int ReceivedAudio, string Recording, string Log);

    private async Task<CallResult> CallAsync(NetworkNamespaces lan, double seconds, Func<Task>? during = null)
    {
        var dir = Path.Combine(_root, Guid.NewGuid().ToString("N")[..8]);
        await using var alice = await NodeProcess.StartAsync(ParleyRunner.InNamespace(lan.A), Path.Combine(dir, "alice"), "--name", "alice", "--no-discovery");
        await using var bob = await NodeProcess.StartAsync(ParleyRunner.InNamespace(lan.B), Path.Combine(dir, "bob"), "--name", "bob", "--no-discovery");
        var bobId = (await bob.StatusAsync()).GetProperty("deviceId").GetString()!;
        var aliceId = (await alice.StatusAsync()).GetProperty("deviceId").GetString()!;
        Assert.Equal(0, (await alice.CliAsync("add", bobId, $"{lan.AddressB}:47800")).ExitCode);
        Assert.Equal(0, (await bob.CliAsync("add", aliceId, $"{lan.AddressA}:47800")).ExitCode);
        var recording = Path.Combine(dir, "call.webm");
        var answer = bob.CliAsync("answer", "--record", recording);
        await Task.Delay(500);
        var call = alice.CliAsync("call", "bob", "--video", "--seconds", seconds.ToString(CultureInfo.InvariantCulture));
        if (during is not null)
        {
            await during();
        }
        var (called, answered) = (await call, await answer);
        var log = $"{called.Out}{called.Error}\n--- bob:\n{answered.Out}{answered.Error}";
        Assert.True(called.ExitCode == 0 && answered.ExitCode == 0, log);
        var sent = Regex.Match(called.Out, @"sent (\d+) video and (\d+) audio frames");
        var heard = Regex.Match(answered.Out, @"received (\d+) audio frames");
        // The delay is real: the call measured it (receiver reports echo each other's times).
        var roundTrip = Regex.Match(called.Out, @"round trip (\d+) ms");
        Assert.True(roundTrip.Success && int.Parse(roundTrip.Groups[1].Value, CultureInfo.InvariantCulture) >= 2 * OneWay.TotalMilliseconds, log);
        return new CallResult(int.Parse(sent.Groups[1].Value, CultureInfo.InvariantCulture), int.Parse(sent.Groups[2].Value, CultureInfo.InvariantCulture),
            int.Parse(heard.Groups[1].Value, CultureInfo.InvariantCulture), recording, log);
    }

    /// <summary>At 2 % loss the issue's bar (95 % of frames shown); at 10 % video must keep playing: most frames, and no stop longer than 1.5 s (the terminal's ffmpeg makes a keyframe every half second).</summary>
    [Theory]
    [InlineData(2, 0.95, 0.95)]
    [InlineData(10, 0.75, 0.85)]
    public async Task Video_keeps_playing_and_audio_keeps_coming_under_loss(double lossPercent, double videoShare, double audioShare)
    {
        using var lan = NetworkNamespaces.Create(OneWay);
        lan.DropUdp(lossPercent);
        var result = await CallAsync(lan, seconds: 6);
        var shown = (await TestVideos.ProbeAsync(result.Recording)).VideoFrames;
        Assert.True(shown >= videoShare * result.SentVideo, $"{shown} of {result.SentVideo} video frames recorded at {lossPercent} % loss\n{result.Log}");
        var times = await TestVideos.PacketTimesAsync(result.Recording);
        var longest = times.Zip(times.Skip(1), (a, b) => b - a).Max();
        Assert.True(longest <= 1.5, $"video stopped for {longest:F2} s at {lossPercent} % loss\n{result.Log}");
        // Audio is never resent (it would be too late to play); what arrives is the path's share.
        Assert.True(result.ReceivedAudio >= audioShare * result.SentAudio, $"{result.ReceivedAudio} of {result.SentAudio} audio frames at {lossPercent} % loss\n{result.Log}");
    }

    [Fact]
    public async Task After_a_two_second_outage_video_is_back_within_a_second()
    {
        using var lan = NetworkNamespaces.Create(OneWay);
        var outage = TimeSpan.Zero;
        const double callSeconds = 10; // ringing, 3 s of video, the outage, and time to show the recovery lasts
        var result = await CallAsync(lan, seconds: callSeconds, during: async () =>
        {
            await Task.Delay(3000);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            lan.BlockUdp(on: true);
            await Task.Delay(2000);
            lan.BlockUdp(on: false);
            outage = clock.Elapsed; // 2 s plus the time iptables takes in two namespaces (more on a loaded machine)
        });
        var times = await TestVideos.PacketTimesAsync(result.Recording);
        var gaps = times.Zip(times.Skip(1), (a, b) => b - a).ToList();
        var longest = gaps.Max();
        var frameInterval = callSeconds / Math.Max(1, result.SentVideo);
        Assert.True(longest >= 1.5, $"no outage seen in the recording (longest gap {longest:F2} s)\n{result.Log}");
        // Back within a second of the link's return: the outage, then at most 1 s, give or take a frame.
        Assert.True(longest <= outage.TotalSeconds + 1.0 + 2 * frameInterval,
            $"video was gone {longest:F2} s for an outage of {outage.TotalSeconds:F2} s\n{result.Log}");
        var resumedAt = times[gaps.IndexOf(longest) + 1];
        Assert.True(times[^1] - resumedAt >= 1.0, $"video flowed only {times[^1] - resumedAt:F2} s after the outage\n{result.Log}");
    }
}
