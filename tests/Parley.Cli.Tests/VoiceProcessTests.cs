using System.Diagnostics;
using System.Globalization;
using Parley.Testing;

namespace Parley.Cli.Tests;

/// <summary>
/// <c>parley voice</c> as a person runs it, in separate processes with a real hub: alice sends a trimmed
/// audio file to bob while bob's node is stopped; bob comes back, and <c>parley save</c> writes a file
/// that ffprobe reads as Opus, as long as the part alice kept.
/// </summary>
public sealed class VoiceProcessTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-voice-cli-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Voice_FileToOfflineContact_SavedAsOpusOfTheTrimmedLength()
    {
        await using var hub = await HubProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, "hub"), "--port", "0");
        string[] Up(string name) => ["--port", "0", "--api-port", "0", "--no-discovery", "--name", name, "--hub", hub.Invite];
        await using var alice = await NodeProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, "alice"), Up("alice"));
        var bobHome = Path.Combine(_root, "bob");
        string bobId;
        await using (var bobFirst = await NodeProcess.StartAsync(ParleyRunner.Local, bobHome, Up("bob")))
        {
            await NodeProcess.BefriendAsync(alice, bobFirst);
            bobId = (await bobFirst.StatusAsync()).GetProperty("deviceId").GetString()!;
        }

        var tone = Path.Combine(_root, "tone.wav");
        await RunAsync("ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "sine=f=440:d=4", tone);
        var sent = await alice.CliAsync("voice", bobId, tone, "--trim", "0.5-3");
        Assert.True(sent.ExitCode == 0, sent.Error);
        Assert.StartsWith("sent voice 0:02 to bob", sent.Out, StringComparison.Ordinal);

        await using var bob = await NodeProcess.StartAsync(ParleyRunner.Local, bobHome, Up("bob"));
        var id = await WaitForVoiceAsync(bob, bobId, alice);
        var saved = Path.Combine(_root, "saved.ogg");
        var save = await bob.CliAsync("save", id, saved);
        Assert.True(save.ExitCode == 0, save.Error);

        var probe = await RunAsync("ffprobe", "-v", "error", "-show_entries", "stream=codec_name:format=duration", "-of", "default=nw=1:nk=1", saved);
        var lines = probe.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("opus", lines[0]);
        Assert.InRange(double.Parse(lines[1], CultureInfo.InvariantCulture), 2.4, 2.6);
    }

    /// <summary>The voice message's ID once it is in bob's conversation with alice.</summary>
    private static async Task<string> WaitForVoiceAsync(NodeProcess bob, string bobId, NodeProcess alice)
    {
        var aliceId = (await alice.StatusAsync()).GetProperty("deviceId").GetString()!;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var history = await bob.CliAsync("history", aliceId, "--json");
            if (history.ExitCode == 0)
            {
                foreach (var m in history.Json.EnumerateArray())
                {
                    if (m.TryGetProperty("attachment", out var a) && a.GetProperty("kind").GetString() == "voice")
                    {
                        Assert.InRange(a.GetProperty("durationMs").GetInt32(), 2450, 2550);
                        Assert.Equal(100, a.GetProperty("waveform").GetArrayLength());
                        return m.GetProperty("id").GetString()!;
                    }
                }
            }
            Assert.True(DateTime.UtcNow < deadline, $"no voice message reached {bobId} within 30 s:\n{history.Out}{history.Error}");
            await Task.Delay(200);
        }
    }

    private static async Task<string> RunAsync(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        arguments.ToList().ForEach(start.ArgumentList.Add);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, error);
        return await output;
    }
}
