using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using Parley.Node.Attachments.Voice;
using Parley.Node.Chat;

namespace Parley.Cli.Verbs;

/// <summary>
/// <c>parley voice &lt;peer|#room&gt; FILE [--trim START-END]</c> sends an audio file as a voice message;
/// <c>--record [--seconds N]</c> records one from the microphone with ffmpeg first. The node encodes
/// (Opus, waveform) either way, so a message from the terminal is the same as one from the page.
/// </summary>
internal sealed class VoiceVerb : IVerb
{
    /// <summary>Longest recording from the terminal when --seconds is not given (Enter stops sooner).</summary>
    private const int DefaultRecordSeconds = 120;

    public string Name => "voice";

    public string Arguments => "<peer|#room> (FILE [--trim START-END] | --record [--seconds N]) [--json]";

    public string Summary => "send a voice message: an audio file (trimmed to START-END, in seconds or m:ss), or recorded from the microphone";

    public IReadOnlyCollection<string> ValuedOptions => ["--trim", "--seconds"];

    public IReadOnlyCollection<string> FlagOptions => ["--record", "--json"];

    public async Task<int> RunAsync(CliContext context)
    {
        var record = context.Args.Has("--record");
        context.Args.ExpectPositional(record ? 1 : 2, record ? 1 : 2);
        var conversation = context.Args.Positional[0];
        VoiceTrim? trim = null;
        if (context.Args.Value("--trim") is { } trimText && !VoiceTrim.TryParse(trimText, out trim))
        {
            throw new UsageException("--trim takes START-END in seconds or m:ss, e.g. 1.5-7 or 0:02-0:09");
        }
        string? scratch = null;
        try
        {
            string file;
            if (record)
            {
                scratch = Directory.CreateTempSubdirectory("parley-voice-").FullName;
                file = Path.Combine(scratch, "recording.ogg");
                await RecordAsync(context, file, Seconds(context)).ConfigureAwait(false);
            }
            else
            {
                file = Path.GetFullPath(context.Args.Positional[1]);
                if (!File.Exists(file))
                {
                    throw new CliException($"no such file: {file}");
                }
            }
            using var api = context.Api();
            var message = await api.PostAsync<MessageView>($"api/voice/{ApiClient.Segment(conversation)}", Form(file, trim)).ConfigureAwait(false);
            if (context.Json)
            {
                context.WriteJson(message);
            }
            else
            {
                context.Out.WriteLine($"sent {Label(message)} to {TerminalText.Safe(message.PeerName)} ({message.State.ToString().ToLowerInvariant()})");
            }
            return ExitCodes.Ok;
        }
        finally
        {
            if (scratch is not null)
            {
                Directory.Delete(scratch, recursive: true);
            }
        }
    }

    /// <summary>"voice 0:07", as the node measured the message.</summary>
    private static string Label(MessageView message) =>
        message.Attachment?.DurationMs is { } ms ? $"voice {ms / 60_000}:{ms / 1000 % 60:00}" : "voice message";

    private static int Seconds(CliContext context)
    {
        var text = context.Args.Value("--seconds");
        if (text is null)
        {
            return DefaultRecordSeconds;
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds is >= 1 and <= 600
            ? seconds
            : throw new UsageException("--seconds takes a number from 1 to 600");
    }

    private static MultipartFormDataContent Form(string file, VoiceTrim? trim)
    {
        var form = new MultipartFormDataContent();
        var audio = new StreamContent(File.OpenRead(file));
        audio.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(audio, "audio", Path.GetFileName(file));
        if (trim is not null)
        {
            form.Add(new StringContent(trim.StartMs.ToString(CultureInfo.InvariantCulture)), "trimStartMs");
            if (trim.EndMs is { } end)
            {
                form.Add(new StringContent(end.ToString(CultureInfo.InvariantCulture)), "trimEndMs");
            }
        }
        return form;
    }

    /// <summary>Records the default microphone (PulseAudio, else ALSA) until Enter or the time is up.</summary>
    private static async Task RecordAsync(CliContext context, string file, int seconds)
    {
        string? lastError = null;
        foreach (var source in (string[])["pulse", "alsa"])
        {
            context.Error.WriteLine($"recording from the {source} microphone for up to {seconds} s; press Enter to stop");
            var (ok, error) = await RecordFromAsync(source, file, seconds).ConfigureAwait(false);
            if (ok)
            {
                return;
            }
            lastError = error;
        }
        throw new CliException($"no microphone to record from (ffmpeg could open neither PulseAudio nor ALSA's default: {lastError}); send a file instead");
    }

    private static async Task<(bool Ok, string Error)> RecordFromAsync(string source, string file, int seconds)
    {
        var start = new ProcessStartInfo("ffmpeg") { RedirectStandardInput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["-hide_banner", "-loglevel", "error", "-y", "-f", source, "-i", "default", "-t",
            seconds.ToString(CultureInfo.InvariantCulture), "-ac", "1", "-c:a", "libopus", "-b:a", "48k", file])
        {
            start.ArgumentList.Add(argument);
        }
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new CliException("ffmpeg did not start");
        }
        catch (Win32Exception)
        {
            throw new CliException("recording needs ffmpeg (install the package ffmpeg)");
        }
        using (process)
        {
            var errors = process.StandardError.ReadToEndAsync();
            // Enter on the terminal asks ffmpeg to finish the file properly ('q') instead of killing it mid-page.
            // The read stays pending when ffmpeg ends first; it goes with the process.
            var enter = Task.Run(Console.In.ReadLine);
            var exited = process.WaitForExitAsync();
            if (await Task.WhenAny(enter, exited).ConfigureAwait(false) == enter && await enter.ConfigureAwait(false) is not null && !process.HasExited)
            {
                await process.StandardInput.WriteAsync('q').ConfigureAwait(false);
                await process.StandardInput.FlushAsync().ConfigureAwait(false);
            }
            await exited.ConfigureAwait(false);
            // ffmpeg's last line says why (ALSA's library chatter comes before it).
            var error = (await errors.ConfigureAwait(false)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
            return (process.ExitCode == 0 && File.Exists(file) && new FileInfo(file).Length > 0, error.Length > 200 ? error[^200..] : error);
        }
    }
}
