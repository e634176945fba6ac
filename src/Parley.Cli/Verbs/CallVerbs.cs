using System.Runtime.InteropServices;
using System.Text.Json;
using Parley.Cli.Calls;

namespace Parley.Cli.Verbs;

/// <summary>What <c>parley call</c> and <c>parley answer</c> share: media options, running the call, Ctrl+C hangs up.</summary>
internal static class CallTerminal
{
    public static IReadOnlyCollection<string> ValuedOptions => ["--source", "--record", "--seconds"];

    public static async Task<int> RunAsync(CliContext context, ApiClient api, JsonElement call, bool video, bool screen)
    {
        var id = call.GetProperty("id").GetString()!;
        var seconds = context.Args.Value("--seconds") is { } text ? double.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : (double?)null;
        var options = new CallRunner.Options(video, screen, context.Args.Value("--source"), context.Args.Value("--record") is { } record ? Path.GetFullPath(record) : null, seconds);
        using var interrupted = new CancellationTokenSource();
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c =>
        {
            c.Cancel = true;
            interrupted.Cancel();
        });
        context.Out.WriteLine($"in a call with {TerminalText.Safe(call.GetProperty("peerName").GetString())} ({call.GetProperty("codec").GetString()}); Ctrl+C or `parley hangup` ends it");
        var reason = await new CallRunner(api, id, context.Out).RunAsync(options, interrupted.Token).ConfigureAwait(false);
        var state = await api.GetAsync($"api/calls/{id}").ConfigureAwait(false);
        if (state.GetProperty("state").GetString() != "ended")
        {
            state = await api.PostAsync($"api/calls/{id}/hangup", new { reason = "hung up" }).ConfigureAwait(false);
        }
        context.Out.WriteLine($"call ended: {TerminalText.Safe(state.GetProperty("endReason").GetString() ?? reason)}");
        return ExitCodes.Ok;
    }

    /// <summary>Polls the call until it is no longer ringing.</summary>
    public static async Task<JsonElement> AwaitAnswerAsync(ApiClient api, string id)
    {
        while (true)
        {
            var call = await api.GetAsync($"api/calls/{id}").ConfigureAwait(false);
            if (call.GetProperty("state").GetString() != "ringing")
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
        var video = context.Args.Has("--video") || context.Args.Has("--screen");
        using var api = context.Api();
        var call = await api.PostAsync("api/calls", new { peer = context.Args.Positional[0], video, codecs = new[] { "vp8" } }).ConfigureAwait(false);
        context.Out.WriteLine($"ringing {TerminalText.Safe(call.GetProperty("peerName").GetString())}…");
        call = await CallTerminal.AwaitAnswerAsync(api, call.GetProperty("id").GetString()!).ConfigureAwait(false);
        if (call.GetProperty("state").GetString() == "ended")
        {
            context.Error.WriteLine($"not answered: {TerminalText.Safe(call.GetProperty("endReason").GetString())}");
            return ExitCodes.Failure;
        }
        return await CallTerminal.RunAsync(context, api, call, video, context.Args.Has("--screen")).ConfigureAwait(false);
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
        using var api = context.Api();
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        JsonElement? ringing = null;
        while (ringing is null)
        {
            ringing = (await api.GetAsync("api/calls").ConfigureAwait(false)).EnumerateArray()
                .Where(c => c.GetProperty("state").GetString() == "ringing" && !c.GetProperty("outgoing").GetBoolean()).Select(c => (JsonElement?)c).FirstOrDefault();
            if (ringing is null)
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new CliException("no call rang within a minute");
                }
                await Task.Delay(200).ConfigureAwait(false);
            }
        }
        var call = await api.PostAsync($"api/calls/{ringing.Value.GetProperty("id").GetString()}/accept", new { codecs = new[] { "vp8" } }).ConfigureAwait(false);
        var video = context.Args.Has("--video") || call.GetProperty("video").GetBoolean();
        return await CallTerminal.RunAsync(context, api, call, video, screen: false).ConfigureAwait(false);
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
        var live = (await api.GetAsync("api/calls").ConfigureAwait(false)).EnumerateArray().Where(c => c.GetProperty("state").GetString() != "ended").ToList();
        if (live.Count == 0)
        {
            context.Out.WriteLine("no call to end");
            return ExitCodes.Ok;
        }
        foreach (var call in live)
        {
            await api.PostAsync($"api/calls/{call.GetProperty("id").GetString()}/hangup", new { reason = "hung up" }).ConfigureAwait(false);
            context.Out.WriteLine($"ended the call with {TerminalText.Safe(call.GetProperty("peerName").GetString())}");
        }
        return ExitCodes.Ok;
    }
}
