using System.Net.WebSockets;
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
internal sealed class CallRunner(CallApi calls, string callId, TextWriter output)
{
    private CallRecorder? _recorder;
    private int _receivedAudioFrames;
    private int _receivedVideoFrames;

    public sealed record Options(bool Video, bool Screen, string? Source, string? Record, double? Seconds);

    /// <summary>Runs until the call ends; returns why it ended.</summary>
    public async Task<string> RunAsync(Options options, CancellationToken cancellationToken)
    {
        using var socket = await calls.Client.OpenSocketAsync($"api/calls/{callId}/media", cancellationToken).ConfigureAwait(false);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (options.Seconds is { } seconds)
        {
            stop.CancelAfter(TimeSpan.FromSeconds(seconds));
        }
        _recorder = options.Record is { } record ? new CallRecorder(record, output) : null;
        var sender = new PageFrameSender(socket);
        try
        {
            sender.Start(new FfmpegMedia.Source(options.Video, options.Screen, options.Source), stop.Token);
            // Stopping here (time is up, Ctrl+C) hangs up through the API, so the peer hears "hung up", and the
            // node's "ended" notice then ends the receive loop; cancelling a receive would drop the channel instead
            // (which reads as "left the call"). If the node does not answer within 5 s, the channel is dropped.
            using var abort = new CancellationTokenSource();
            using var hangup = stop.Token.Register(() =>
            {
                abort.CancelAfter(TimeSpan.FromSeconds(5));
                _ = calls.HangupAsync(callId);
            });
            return await ReceiveAsync(socket, abort.Token).ConfigureAwait(false) ?? "hung up";
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await sender.DisposeAsync().ConfigureAwait(false);
            output.WriteLine($"sent {sender.VideoFrames} video and {sender.AudioFrames} audio frames; received {_receivedAudioFrames} audio frames and {_receivedVideoFrames} video frames");
            await PrintPathAsync().ConfigureAwait(false);
            if (_recorder is not null)
            {
                await _recorder.FinishAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Frames and notices from the node until the call ends (the reason) or the caller stops (null).</summary>
    private async Task<string?> ReceiveAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 20];
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult received;
                do
                {
                    received = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                    length += received.Count;
                }
                while (!received.EndOfMessage && length < buffer.Length);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    return "the call ended";
                }
                if (received.MessageType == WebSocketMessageType.Text)
                {
                    if (JsonSerializer.Deserialize<CallNotice>(buffer.AsSpan(0, length), EventHub.Json) is { Type: CallNotice.EndedType } ended)
                    {
                        return ended.Reason;
                    }
                }
                else if (WireMessage.TryRead<PageFrame>(buffer.AsMemory(0, length), out var frame, out _))
                {
                    if (frame.Stream == StreamKind.Audio)
                    {
                        _receivedAudioFrames++;
                        _recorder?.Audio(frame.Timestamp, frame.Data.Span);
                    }
                    else
                    {
                        _receivedVideoFrames++;
                        _recorder?.Video(frame.Timestamp, frame.Data.Span);
                    }
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            return null;
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
                output.WriteLine($"path: {call.Transport}, round trip {rtt}, {stats.Lost} packets lost before repair, {stats.Retransmitted} resent");
            }
        }
        catch (Exception e) when (e is CliException or HttpRequestException)
        {
            // The node is gone (parley stop): nothing to report.
        }
    }
}
