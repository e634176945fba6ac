using System.Runtime.InteropServices;
using Parley.Cli.Calls;
using Parley.Node.Calls;

namespace Parley.Cli.Verbs;

/// <summary>What <c>parley call</c> and <c>parley answer</c> share: media options, running the call, Ctrl+C hangs up.</summary>
internal static class CallTerminal
{
    public static IReadOnlyCollection<string> ValuedOptions => ["--source", "--record", "--seconds"];

    public static async Task<int> RunAsync(CliContext context, CallApi calls, CallInfo call, bool video, bool screen)
    {
        var id = call.Id;
        var seconds = context.Args.Value("--seconds") is { } text ? double.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : (double?)null;
        var options = new CallRunner.Options(video, screen, context.Args.Value("--source"), context.Args.Value("--record") is { } record ? Path.GetFullPath(record) : null, seconds);
        using var interrupted = new CancellationTokenSource();
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c =>
        {
            c.Cancel = true;
            interrupted.Cancel();
        });
        context.Out.WriteLine($"in a call with {TerminalText.Safe(call.PeerName)} ({call.Codec}); Ctrl+C or `parley hangup` ends it");
        var reason = await new CallRunner(calls, id, context.Out).RunAsync(options, interrupted.Token).ConfigureAwait(false);
        var state = await calls.GetAsync(id).ConfigureAwait(false);
        if (state.State != CallState.Ended)
        {
            state = await calls.HangupAsync(id).ConfigureAwait(false);
        }
        context.Out.WriteLine($"call ended: {TerminalText.Safe(state.EndReason ?? reason)}");
        return ExitCodes.Ok;
    }

    /// <summary>Polls the call until it is no longer ringing.</summary>
    public static async Task<CallInfo> AwaitAnswerAsync(CallApi calls, string id)
    {
        while (true)
        {
            var call = await calls.GetAsync(id).ConfigureAwait(false);
            if (call.State != CallState.Ringing)
            {
                return call;
            }
            await Task.Delay(100).ConfigureAwait(false);
        }
    }
}

/// <summary><c>parley call PEER [--video] [--screen]</c>: rings a contact and, once answered, sends ffmpeg's media (and can record theirs).</summary>
internal sealed class CallVerb : IVerb
{
    public string Name => "call";

    public string Arguments => "<peer> [--audio | --video] [--screen] [--source FILE] [--record FILE.webm] [--seconds N]";

    public string Summary => "call a contact with ffmpeg as camera and microphone (test pattern, a file, or the X screen)";

    public IReadOnlyCollection<string> ValuedOptions => CallTerminal.ValuedOptions;

    public IReadOnlyCollection<string> FlagOptions => ["--audio", "--video", "--screen"];

    public async Task<int> RunAsync(CliContext context)
    {
        context.Args.ExpectPositional(1, 1);
        FfmpegMedia.Require();
        var video = context.Args.Has("--video") || context.Args.Has("--screen");
        using var api = context.Api();
        var calls = new CallApi(api);
        var call = await calls.PlaceAsync(new PlaceCallRequest(context.Args.Positional[0], video, ["vp8"])).ConfigureAwait(false);
        context.Out.WriteLine($"ringing {TerminalText.Safe(call.PeerName)}…");
        call = await CallTerminal.AwaitAnswerAsync(calls, call.Id).ConfigureAwait(false);
        if (call.State == CallState.Ended)
        {
            context.Error.WriteLine($"not answered: {TerminalText.Safe(call.EndReason)}");
            return ExitCodes.Failure;
        }
        return await CallTerminal.RunAsync(context, calls, call, video, context.Args.Has("--screen")).ConfigureAwait(false);
    }
}

/// <summary><c>parley answer</c>: waits for a ring (up to a minute), accepts it and runs the call from the terminal.</summary>
internal sealed class AnswerVerb : IVerb
{
    public string Name => "answer";

    public string Arguments => "[--video] [--source FILE] [--record FILE.webm] [--seconds N]";

    public string Summary => "accept the ringing call (waiting up to a minute for one) with ffmpeg as camera and microphone";

    public IReadOnlyCollection<string> ValuedOptions => CallTerminal.ValuedOptions;

    public IReadOnlyCollection<string> FlagOptions => ["--video"];

    public async Task<int> RunAsync(CliContext context)
    {
        context.Args.ExpectPositional(0, 0);
        FfmpegMedia.Require();
        using var api = context.Api();
        var calls = new CallApi(api);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        CallInfo? ringing = null;
        while (ringing is null)
        {
            ringing = (await calls.ListAsync().ConfigureAwait(false)).FirstOrDefault(c => c.State == CallState.Ringing && !c.Outgoing);
            if (ringing is null)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new CliException("no call rang within a minute");
                }
                await Task.Delay(200).ConfigureAwait(false);
            }
        }
        var call = await calls.AcceptAsync(ringing.Id, new AnswerCallRequest(["vp8"])).ConfigureAwait(false);
        var video = context.Args.Has("--video") || call.Video;
        return await CallTerminal.RunAsync(context, calls, call, video, screen: false).ConfigureAwait(false);
    }
}

/// <summary><c>parley hangup</c>: ends this node's call, telling the other side.</summary>
internal sealed class HangupVerb : IVerb
{
    public string Name => "hangup";

    public string Arguments => "";

    public string Summary => "end the current call (or decline the ringing one)";

    public async Task<int> RunAsync(CliContext context)
    {
        context.Args.ExpectPositional(0, 0);
        using var api = context.Api();
        var calls = new CallApi(api);
        var live = (await calls.ListAsync().ConfigureAwait(false)).Where(c => c.State != CallState.Ended).ToList();
        if (live.Count == 0)
        {
            context.Out.WriteLine("no call to end");
            return ExitCodes.Ok;
        }
        foreach (var call in live)
        {
            await calls.HangupAsync(call.Id).ConfigureAwait(false);
            context.Out.WriteLine($"ended the call with {TerminalText.Safe(call.PeerName)}");
        }
        return ExitCodes.Ok;
    }
}
