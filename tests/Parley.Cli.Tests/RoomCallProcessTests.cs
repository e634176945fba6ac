using System.Text.Json;
using Parley.Testing;
using Xunit.Abstractions;

namespace Parley.Cli.Tests;

/// <summary>
/// Issue 18's terminal test: three <c>parley up</c> processes on a <c>parley hub</c> in one room; two send
/// test patterns with <c>parley room call --video</c>, the third records with <c>--record-dir</c>. ffprobe
/// finds each sender's video and audio in a file named after them, and there is no file of the recorder.
/// One sender leaves with <c>parley room hangup</c>, which the others print; the recorder leaves with Ctrl+C.
/// </summary>
public sealed class RoomCallProcessTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-room-call-cli-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task TwoSendTestPatterns_TheThirdRecords_OneFilePerSenderWithVideoAndAudio_NoneOfItself_AndHangupIsSeen()
    {
        await using var cluster = await RoomCluster.StartAsync(_root, ["alice", "bob", "carol"]);
        var (alice, bob, carol) = (cluster["alice"], cluster["bob"], cluster["carol"]);
        await cluster.CreateAsync(alice, "team");
        await cluster.JoinAsync(alice, bob, "team");
        await cluster.JoinAsync(alice, carol, "team");
        var folder = Path.Combine(_root, "recorded");

        // carol stays until Ctrl+C (SIGINT), as a person at a terminal would leave.
        using var recorder = System.Diagnostics.Process.Start(ParleyRunner.Local.StartInfo(["--home", carol.Home, "room", "call", "#team", "--record-dir", folder]))!;
        var (recorderOut, recorderError) = (recorder.StandardOutput.ReadToEndAsync(), recorder.StandardError.ReadToEndAsync());
        Assert.True(await InCallAsync(carol), "carol did not get into the call\n" + cluster.Logs());
        var aliceCall = alice.CliAsync("room", "call", "#team", "--video", "--seconds", "12");
        var bobCall = bob.CliAsync("room", "call", "#team", "--video");
        Assert.True(await InCallAsync(bob) && await InCallAsync(alice), "alice or bob did not get into the call\n" + cluster.Logs());
        await Task.Delay(TimeSpan.FromSeconds(5));
        var hangup = await bob.MustAsync("room", "hangup", "#team");
        Assert.Contains("left #team's call", hangup.Out);
        var (aliceDone, bobDone) = (await aliceCall, await bobCall);
        Assert.Contains("not in #team's call", (await bob.MustAsync("room", "hangup", "#team")).Out);
        using (var interrupt = System.Diagnostics.Process.Start("kill", ["-INT", recorder.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await interrupt.WaitForExitAsync();
        }
        using (var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            await recorder.WaitForExitAsync(limit.Token);
        }
        var carolDone = new CliResult(recorder.ExitCode, await recorderOut, await recorderError);
        Assert.False(await InCallAsync(carol, TimeSpan.FromSeconds(1)), "carol is still in the call after Ctrl+C");
        output.WriteLine($"--- alice:\n{aliceDone.Out}{aliceDone.Error}\n--- bob:\n{bobDone.Out}{bobDone.Error}\n--- carol:\n{carolDone.Out}{carolDone.Error}");

        Assert.True(aliceDone.ExitCode == 0 && bobDone.ExitCode == 0 && carolDone.ExitCode == 0, "a call exited with an error\n" + cluster.Logs());
        Assert.Contains("call ended: left the call", bobDone.Out);
        Assert.Contains("bob left", aliceDone.Out); // bob's `room hangup`, as alice saw it
        Assert.Contains("bob left", carolDone.Out);
        // alice may be in before carol's terminal lists who is there ("in #team's call with alice") or join after ("alice joined").
        Assert.Matches(@"alice joined|in #team's call with [^\n]*alice", carolDone.Out);
        Assert.Matches(@"bob joined|in #team's call with [^\n]*bob", carolDone.Out);
        Assert.Contains("alice left", carolDone.Out);

        var files = Directory.GetFiles(folder).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(["alice.webm", "bob.webm"], files);
        foreach (var (sender, said) in new[] { ("alice", aliceDone.Out), ("bob", bobDone.Out) })
        {
            var sent = int.Parse(System.Text.RegularExpressions.Regex.Match(said, @"sent (\d+) video").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            var facts = await TestVideos.ProbeAsync(Path.Combine(folder, sender + ".webm"));
            output.WriteLine($"{sender}.webm: {facts}");
            Assert.Equal(("vp8", 640, 360, "opus"), (facts.VideoCodec, facts.Width, facts.Height, facts.AudioCodec));
            // From the first keyframe carol saw (one every half second) to the sender's last frame: nothing lost on loopback.
            Assert.True(facts.VideoFrames >= 30 && facts.VideoFrames >= sent - 20 && facts.VideoFrames <= sent, $"{sender}.webm has {facts.VideoFrames} video frames of {sent} sent");
            Assert.True(facts.Duration >= 2, $"{sender}.webm lasts {facts.Duration} s");
        }
    }

    [Fact]
    public async Task ClearErrors_ANonMemberGetsTheHubsReason_NoFfmpegIsSaidBeforeJoining_HangupOutsideACallSaysSo()
    {
        await using var cluster = await RoomCluster.StartAsync(_root, ["alice", "mallory"]);
        var alice = cluster["alice"];
        await cluster.CreateAsync(alice, "team");
        var refused = await cluster["mallory"].CliAsync("room", "call", "#team", "--seconds", "2");
        Assert.NotEqual(0, refused.ExitCode);
        output.WriteLine(refused.Error);
        Assert.Contains("not a member of #team", refused.Error, StringComparison.Ordinal);

        var withoutFfmpeg = new ParleyRunner { Environment = new Dictionary<string, string> { ["PATH"] = "/nonexistent" } };
        var noFfmpeg = await withoutFfmpeg.RunAsync("--home", alice.Home, "room", "call", "#team", "--seconds", "2");
        output.WriteLine(noFfmpeg.Error);
        Assert.NotEqual(0, noFfmpeg.ExitCode);
        Assert.Contains("ffmpeg is not installed", noFfmpeg.Error, StringComparison.Ordinal);
        Assert.False(await InCallAsync(alice, TimeSpan.FromSeconds(1)), "alice joined the call without a camera or microphone");

        Assert.Contains("not in #team's call", (await alice.MustAsync("room", "hangup", "#team")).Out);
    }

    /// <summary>A hub that takes one participant with video refuses a second with its reason; the same node then joins with voice only.</summary>
    [Fact]
    public async Task AFullCall_RefusesTheNextVideoParticipantWithTheHubsReason_VoiceOnlyStillJoins()
    {
        await using var cluster = await RoomCluster.StartAsync(_root, ["alice", "bob"], "--room-call-video", "1");
        var (alice, bob) = (cluster["alice"], cluster["bob"]);
        await cluster.CreateAsync(alice, "team");
        await cluster.JoinAsync(alice, bob, "team");
        var first = alice.CliAsync("room", "call", "#team", "--video", "--seconds", "30");
        Assert.True(await InCallAsync(alice), "alice did not get into the call\n" + cluster.Logs());
        var refused = await bob.CliAsync("room", "call", "#team", "--video", "--seconds", "2");
        output.WriteLine(refused.Error);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("the call in #team has 1 participants with video, the most this hub takes: join with audio only", refused.Error, StringComparison.Ordinal);
        var voice = await bob.CliAsync("room", "call", "#team", "--seconds", "2");
        Assert.True(voice.ExitCode == 0, voice.Error + voice.Out);
        Assert.Contains("in #team's call with alice", voice.Out);
        await alice.MustAsync("room", "hangup", "#team");
        Assert.Equal(0, (await first).ExitCode);
    }

    /// <summary>
    /// <c>--screen</c>: ffmpeg grabs the X screen (Xvfb here) and the frames go out as the screen stream
    /// (kind 2), which bob's media channel shows at the screen's size; none come as camera video.
    /// </summary>
    [Fact]
    public async Task Screen_IsSentAsTheScreenStream_AtTheScreensSize()
    {
        var display = $":{40 + (Environment.ProcessId % 50)}";
        using var xvfb = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("Xvfb", [display, "-screen", "0", "1280x720x24", "-nolisten", "tcp"])
            { RedirectStandardError = true })!;
        try
        {
            await Task.Delay(500);
            await using var cluster = await RoomCluster.StartAsync(_root, ["alice", "bob"]);
            var (alice, bob) = (cluster["alice"], cluster["bob"]);
            await cluster.CreateAsync(alice, "team");
            await cluster.JoinAsync(alice, bob, "team");
            await bob.PostAsync("api/rooms/%23team/call", new { video = true });
            using var channel = await bob.OpenSocketAsync("api/rooms/%23team/call/media");
            var counting = CountByKindAsync(channel);
            var sharer = new ParleyRunner { Environment = new Dictionary<string, string> { ["DISPLAY"] = display } };
            var shared = await sharer.RunAsync("--home", alice.Home, "room", "call", "#team", "--screen", "--seconds", "4");
            Assert.True(shared.ExitCode == 0, shared.Error + shared.Out);
            await bob.PostAsync("api/rooms/%23team/call/leave", new { });
            var (kinds, size) = await counting;
            output.WriteLine($"{shared.Out}\nbob's channel: audio {kinds[0]}, video {kinds[1]}, screen {kinds[2]}; keyframe size {size}");
            Assert.True(kinds[2] >= 10, $"only {kinds[2]} screen frames reached bob");
            Assert.Equal(0, kinds[1]);
            Assert.True(kinds[0] >= 50, $"only {kinds[0]} audio frames reached bob");
            Assert.Equal((1280, 720), size);
        }
        finally
        {
            xvfb.Kill();
        }
    }

    /// <summary>Frames on a room call's media channel (<c>participant u16 | level u8 | page frame</c>) by stream kind, and the first VP8 keyframe's size, until it closes.</summary>
    private static async Task<(int[] Kinds, (int, int)? Size)> CountByKindAsync(System.Net.WebSockets.WebSocket socket)
    {
        var (kinds, buffer) = (new int[3], new byte[1 << 20]);
        (int, int)? size = null;
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            while (true)
            {
                var length = 0;
                System.Net.WebSockets.ValueWebSocketReceiveResult received;
                do
                {
                    received = await socket.ReceiveAsync(buffer.AsMemory(length), limit.Token);
                    length += received.Count;
                }
                while (!received.EndOfMessage);
                if (received.MessageType == System.Net.WebSockets.WebSocketMessageType.Close)
                {
                    return (kinds, size);
                }
                // The page frame's header: stream u8 | keyframe u8 | codec u8 | timestamp u32; a VP8 keyframe's size at 6 and 8 of its data.
                if (received.MessageType != System.Net.WebSockets.WebSocketMessageType.Binary || length <= 3 + 7 || buffer[3] >= 3)
                {
                    continue;
                }
                kinds[buffer[3]]++;
                if (buffer[3] != 0 && (buffer[4] & 1) == 1 && length >= 3 + 7 + 10 && size is null)
                {
                    size = (BitConverter.ToUInt16(buffer, 10 + 6) & 0x3FFF, BitConverter.ToUInt16(buffer, 10 + 8) & 0x3FFF);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or System.Net.WebSockets.WebSocketException)
        {
            return (kinds, size);
        }
    }

    private static Task<bool> InCallAsync(ClusterNode node, TimeSpan? within = null) => RoomCluster.WaitAsync(async () =>
        JsonDocument.Parse(await node.GetStringAsync("api/rooms/%23team/call")).RootElement.GetProperty("inCall").GetBoolean(), within ?? TimeSpan.FromSeconds(30), pollMs: 100);
}
