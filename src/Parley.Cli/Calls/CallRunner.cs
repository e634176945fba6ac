using System.Text.Json;
using Parley.Core.Calls;
using Parley.Core.Protocol;
using Parley.Node.Calls;
using Parley.Node.Events;

namespace Parley.Cli.Calls;

/// <summary>
/// A call's media from the terminal: ffmpeg makes the sending side (a test pattern and tone, a
/// media file, or the X screen; VP8 in IVF and Opus in Ogg on its stdout) and the frames go to the
/// node's media channel as a page's would; what comes from the peer can be recorded (its video and
/// voice, into a WebM or Matroska file: <see cref="CallRecorder"/>). Ends when the call ends, after
/// <c>--seconds</c>, or on Ctrl+C.
/// </summary>
internal sealed class CallRunner(CallApi calls, string callId, TextWriter output) : MediaChannelRunner(calls.Client, output)
{
    private CallRecorder? _recorder;

    public sealed record Options(bool Video, bool Screen, string? Source, string? Record, double? Seconds);

    protected override string MediaPath => $"api/calls/{callId}/media";

    protected override string StoppedReason => "hung up";

    /// <summary>Runs until the call ends; returns why it ended.</summary>
    public Task<string> RunAsync(Options options, CancellationToken cancellationToken)
    {
        _recorder = options.Record is { } record ? new CallRecorder(record, Output) : null;
        return RunChannelAsync(new FfmpegMedia.Source(options.Video, options.Screen, options.Source), options.Seconds, cancellationToken);
    }

    // Hanging up (not dropping the channel, which reads as "left the call") lets the peer hear "hung up".
    protected override Task StopCallAsync() => calls.HangupAsync(callId);

    protected override ValueTask<string?> OnNoticeAsync(ReadOnlyMemory<byte> json) =>
        ValueTask.FromResult(JsonSerializer.Deserialize<CallNotice>(json.Span, EventHub.Json) is { Type: CallNotice.EndedType } ended ? ended.Reason : null);

    protected override void OnFrame(ReadOnlyMemory<byte> message)
    {
        if (WireMessage.TryRead<PageFrame>(message, out var frame, out _))
        {
            Received(frame.Stream);
            if (frame.Stream == StreamKind.Audio)
            {
                _recorder?.Audio(frame.Timestamp, frame.Data.Span);
            }
            else
            {
                _recorder?.Video(frame.Timestamp, frame.Data.Span);
            }
        }
    }

    protected override async Task FinishAsync()
    {
        await PrintPathAsync().ConfigureAwait(false);
        if (_recorder is not null)
        {
            await _recorder.FinishAsync().ConfigureAwait(false);
        }
    }

    /// <summary>What the path was like, from the node's last receiver reports (the call is kept after it ends).</summary>
    private async Task PrintPathAsync()
    {
        try
        {
            var call = await calls.GetAsync(callId).ConfigureAwait(false);
            if (call.Stats is { } stats)
            {
                var rtt = stats.RttMs is { } ms ? $"{ms:0} ms" : "unknown";
                Output.WriteLine($"path: {call.Transport}, round trip {rtt}, {stats.Lost} packets lost before repair, {stats.Retransmitted} resent");
            }
        }
        catch (Exception e) when (e is CliException or HttpRequestException)
        {
            // The node is gone (parley stop): nothing to report.
        }
    }
}
