using System.Text.Json;
using Parley.Testing;
using Xunit.Abstractions;

namespace Parley.Cli.Tests;

/// <summary>
/// A room's call across two <c>parley hub --cluster</c> processes: alice (a <c>parley up</c> on hub 1) sends a
/// test pattern with <c>parley room call --video</c>, carol (on hub 2) records with <c>--record-dir</c>. carol's
/// file of alice has her video and voice, carol has none of herself, and each terminal shows the other come and go.
/// </summary>
public sealed class ClusterRoomCallProcessTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-cluster-call-cli-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task SenderOnHub1_RecorderOnHub2_GetsHerVideoAndVoice_AndBothSeeTheOtherComeAndGo()
    {
        await using var nats = await NatsServers.StartAsync(1);
        var identity = Path.Combine(_root, "hub-identity.pem");
        await using var hub1 = await HubProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, "hub1"), "--port", "0", "--cluster", nats.Urls, "--identity", identity);
        await using var hub2 = await HubProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, "hub2"), "--port", "0", "--cluster", nats.Urls, "--identity", identity);
        await using var alice = new ClusterNode(ParleyRunner.Local, "alice", Path.Combine(_root, "alice"), ["--port", "0", "--api-port", "0", "--no-discovery", "--hub", hub1.Invite]);
        await using var carol = new ClusterNode(ParleyRunner.Local, "carol", Path.Combine(_root, "carol"), ["--port", "0", "--api-port", "0", "--no-discovery", "--hub", hub2.Invite]);
        await Task.WhenAll(alice.StartAsync(), carol.StartAsync());
        await alice.MustAsync("room", "create", "team");
        await alice.MustAsync("room", "invite", "#team", carol.DeviceId);
        // The invite reaches hub 2 through the cluster's room stream.
        Assert.True(await RoomCluster.WaitAsync(async () => (await carol.CliAsync("room", "join", "team")).ExitCode == 0, TimeSpan.FromSeconds(30), pollMs: 300),
            "carol could not join #team through hub 2");

        var folder = Path.Combine(_root, "recorded");
        using var recorder = System.Diagnostics.Process.Start(ParleyRunner.Local.StartInfo(["--home", carol.Home, "room", "call", "#team", "--record-dir", folder]))!;
        var (recorderOut, recorderError) = (recorder.StandardOutput.ReadToEndAsync(), recorder.StandardError.ReadToEndAsync());
        CliResult aliceDone;
        try
        {
            Assert.True(await InCallAsync(carol), "carol did not get into the call\n" + hub2.Output);
            aliceDone = await alice.CliAsync("room", "call", "#team", "--video", "--seconds", "8");
            await carol.MustAsync("room", "hangup", "#team");
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await recorder.WaitForExitAsync(limit.Token);
        }
        finally
        {
            if (!recorder.HasExited)
            {
                recorder.Kill(entireProcessTree: true); // a failed step must not leave the recorder running
            }
        }
        var carolDone = new CliResult(recorder.ExitCode, await recorderOut, await recorderError);
        output.WriteLine($"--- alice:\n{aliceDone.Out}{aliceDone.Error}\n--- carol:\n{carolDone.Out}{carolDone.Error}");

        Assert.True(aliceDone.ExitCode == 0 && carolDone.ExitCode == 0, $"a call exited with an error\n{hub1.Output}\n{hub2.Output}");
        // Carol, on the other hub, was there when alice came: named on joining, or told right after if hub 1 read her entry late.
        Assert.Matches("in #team's call with carol|carol joined", aliceDone.Out);
        Assert.Contains("alice joined", carolDone.Out);
        Assert.Contains("alice left", carolDone.Out);
        Assert.Equal(["alice.webm"], Directory.GetFiles(folder).Select(Path.GetFileName));
        var sent = int.Parse(System.Text.RegularExpressions.Regex.Match(aliceDone.Out, @"sent (\d+) video").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var facts = await TestVideos.ProbeAsync(Path.Combine(folder, "alice.webm"));
        output.WriteLine($"alice.webm: {facts}; alice sent {sent} video frames");
        Assert.Equal(("vp8", 640, 360, "opus"), (facts.VideoCodec, facts.Width, facts.Height, facts.AudioCodec));
        // From the first keyframe carol saw to alice's last frame, over two hubs on loopback: most of what she sent.
        Assert.True(facts.VideoFrames >= 30 && facts.VideoFrames >= sent / 2 && facts.VideoFrames <= sent, $"alice.webm has {facts.VideoFrames} video frames of {sent} sent");
    }

    private static Task<bool> InCallAsync(ClusterNode node) => RoomCluster.WaitAsync(async () =>
        JsonDocument.Parse(await node.GetStringAsync("api/rooms/%23team/call")).RootElement.GetProperty("inCall").GetBoolean(), TimeSpan.FromSeconds(30), pollMs: 100);
}
