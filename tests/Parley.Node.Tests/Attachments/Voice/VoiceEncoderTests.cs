using System.Diagnostics;
using Parley.Node.Attachments.Voice;

namespace Parley.Node.Tests.Attachments.Voice;

/// <summary>The voice encoder against real ffmpeg: a made tone (1 s silence, 2 s at half scale, 1 s silence) in, Opus out.</summary>
public sealed class VoiceEncoderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("parley-voice-").FullName;
    private readonly VoiceEncoder _encoder = new(new VoiceOptions(), TimeProvider.System);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Encode_ToneBetweenSilences_DurationAndWaveformFollowTheSound()
    {
        var voice = await _encoder.EncodeAsync(await ToneAsync(), Out(), trim: null, default);

        Assert.InRange(voice.DurationMs, 3980, 4020);
        Assert.Equal(100, voice.Waveform.Count);
        Assert.All(voice.Waveform.Take(23), v => Assert.InRange(v, 0, 8));       // the first second: silence
        Assert.All(voice.Waveform.Skip(27).Take(46), v => Assert.InRange(v, 100, 170)); // the tone: about half of full scale
        Assert.All(voice.Waveform.Skip(77), v => Assert.InRange(v, 0, 8));       // the last second: silence
        Assert.Equal(("opus", "ogg"), await ProbeAsync(voice.Path));
        Assert.True(voice.Size < 4 * 32_000 / 8 + 8_000, $"{voice.Size} bytes for 4 s at 32 kb/s");
    }

    [Fact]
    public async Task Encode_Trimmed_KeepsOnlyTheSelection()
    {
        var voice = await _encoder.EncodeAsync(await ToneAsync(), Out(), new VoiceTrim(500, 2500), default);

        Assert.InRange(voice.DurationMs, 1980, 2020);
        Assert.All(voice.Waveform.Take(20), v => Assert.InRange(v, 0, 8));   // 0.5 s of silence is kept first
        Assert.All(voice.Waveform.Skip(30), v => Assert.InRange(v, 100, 170)); // then the tone to the end
    }

    [Fact]
    public async Task Encode_Garbage_SaysItIsNotAudio()
    {
        var garbage = Path.Combine(_folder, "garbage.webm");
        await File.WriteAllBytesAsync(garbage, [.. Enumerable.Range(0, 5000).Select(i => (byte)(i * 7919 % 251))]);

        var e = await Assert.ThrowsAsync<VoiceEncodingException>(() => _encoder.EncodeAsync(garbage, Out(), null, default));

        Assert.StartsWith("ffmpeg could not read this as audio", e.Message, StringComparison.Ordinal);
        Assert.Equal(400, e.Status);
    }

    [Fact]
    public async Task Encode_WithoutFfmpeg_SaysToInstallIt()
    {
        var encoder = new VoiceEncoder(new VoiceOptions { Ffmpeg = "/nonexistent/ffmpeg" }, TimeProvider.System);

        var e = await Assert.ThrowsAsync<VoiceEncodingException>(async () => await encoder.EncodeAsync(await ToneAsync(), Out(), null, default));

        Assert.Contains("need ffmpeg", e.Message, StringComparison.Ordinal);
        Assert.Equal(503, e.Status);
    }

    [Fact]
    public async Task Encode_LongerThanTheCap_IsRefused()
    {
        var encoder = new VoiceEncoder(new VoiceOptions { MaxDuration = TimeSpan.FromSeconds(2) }, TimeProvider.System);

        var e = await Assert.ThrowsAsync<VoiceEncodingException>(async () => await encoder.EncodeAsync(await ToneAsync(), Out(), null, default));

        Assert.Equal(413, e.Status);
        Assert.Contains("at most 2 s", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1.5-7", 1500, 7000)]
    [InlineData("0:01.5-0:07", 1500, 7000)]
    [InlineData("2-", 2000, null)]
    [InlineData("-3", 0, 3000)]
    public void Trim_Parses(string text, int start, int? end)
    {
        Assert.True(VoiceTrim.TryParse(text, out var trim));
        Assert.Equal(new VoiceTrim(start, end), trim);
    }

    [Theory]
    [InlineData("7-1.5")]
    [InlineData("abc")]
    [InlineData("1-1")]
    [InlineData("x-2")]
    public void Trim_Malformed_IsRefused(string text) => Assert.False(VoiceTrim.TryParse(text, out _));

    private string Out() => Path.Combine(_folder, $"{Guid.NewGuid():N}.ogg");

    private async Task<string> ToneAsync()
    {
        var path = Path.Combine(_folder, "tone.wav");
        if (!File.Exists(path))
        {
            await RunAsync("ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                "anullsrc=r=48000:cl=mono:d=1[a];sine=f=440:r=48000:d=2,volume=4[b];anullsrc=r=48000:cl=mono:d=1[c];[a][b][c]concat=n=3:v=0:a=1",
                "-ac", "1", path);
        }
        return path;
    }

    private static async Task<(string Codec, string Format)> ProbeAsync(string path)
    {
        var lines = (await RunAsync("ffprobe", "-v", "error", "-show_entries", "stream=codec_name:format=format_name", "-of", "default=nw=1:nk=1", path))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return (lines[0], lines[1]);
    }

    private static async Task<string> RunAsync(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardOutput = true, RedirectStandardError = true };
        arguments.ToList().ForEach(start.ArgumentList.Add);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, error);
        return output;
    }
}
