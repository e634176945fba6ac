using System.Globalization;
using System.Runtime.InteropServices;
using Parley.Cli.Calls;
using Parley.Node.RoomCalls;

namespace Parley.Cli.Verbs;

/// <summary><c>parley room call</c> and <c>parley room hangup</c>: a room's call from the terminal, with ffmpeg as camera and microphone.</summary>
internal sealed class RoomCallActions(CliContext context, ApiClient api, string room)
{
    public static IReadOnlyCollection<string> ValuedOptions => ["--source", "--seconds", "--record-dir"];

    public static IReadOnlyCollection<string> FlagOptions => ["--video", "--screen"];

    private string CallPath => $"api/rooms/{ApiClient.Segment(room)}/call";

    /// <summary>Joins (or starts) the call, sends ffmpeg's media and prints who comes and goes until it ends for us.</summary>
    public async Task CallAsync(IReadOnlyList<string> args)
    {
        var seconds = context.Args.Value("--seconds") is { } text
            ? double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0 ? s : throw new UsageException($"--seconds takes a positive number, not '{TerminalText.Safe(text)}'")
            : (double?)null;
        var screen = context.Args.Has("--screen");
        var source = new FfmpegMedia.Source(context.Args.Has("--video"), screen, context.Args.Value("--source") is { } file ? Path.GetFullPath(file) : null);
        if (source.File is { } media && !File.Exists(media))
        {
            throw new CliException($"no file {media}");
        }
        var folder = context.Args.Value("--record-dir") is { } record ? Path.GetFullPath(record) : null;
        FfmpegMedia.Require();
        var joined = await api.PostAsync<RoomCallInfo>(CallPath, new RoomCallJoinRequest(source.Video || screen)).ConfigureAwait(false);
        using var interrupted = new CancellationTokenSource();
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c =>
        {
            c.Cancel = true;
            interrupted.Cancel();
        });
        context.Out.WriteLine($"joined {joined.Room}'s call {(source.Video || screen ? "with video" : "with voice only")}; Ctrl+C or `parley room hangup {joined.Room}` leaves");
        var reason = await new RoomCallRunner(api, room, context.Out).RunAsync(new RoomCallRunner.Options(source, folder, seconds), interrupted.Token).ConfigureAwait(false);
        if ((await api.GetAsync<RoomCallInfo>(CallPath).ConfigureAwait(false)).InCall)
        {
            await api.PostAsync<RoomCallInfo>(CallPath + "/leave").ConfigureAwait(false);
        }
        context.Out.WriteLine($"call ended: {TerminalText.Safe(reason)}");
    }

    /// <summary>Leaves the room's call (a <c>parley room call</c> running for it then ends).</summary>
    public async Task HangupAsync(IReadOnlyList<string> args)
    {
        var call = await api.GetAsync<RoomCallInfo>(CallPath).ConfigureAwait(false);
        if (!call.InCall)
        {
            context.Out.WriteLine($"not in {call.Room}'s call");
            return;
        }
        await api.PostAsync<RoomCallInfo>(CallPath + "/leave").ConfigureAwait(false);
        context.Out.WriteLine($"left {call.Room}'s call");
    }
}
