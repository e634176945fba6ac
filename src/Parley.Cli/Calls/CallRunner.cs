using System.Buffers;
using System.Diagnostics;
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
    // Codec bytes as the pages use them (js/calls/engine.js): VP8 is the video codec bit, Opus 16.
    private const byte CodecVp8 = (byte)VideoCodecs.Vp8, CodecOpus = 16;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly SemaphoreSlim _sendGate = new(1, 1);

    /// <summary>One buffer for every frame sent (under the send gate).</summary>
    private readonly ArrayBufferWriter<byte> _message = new(64 * 1024);
    private CallRecorder? _recorder;
    private int _sentVideoFrames;
    private int _sentAudioFrames;
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
        var sources = new List<Process>();
        var senders = new List<Task>();
        try
        {
            var audio = StartFfmpeg(AudioArguments(options.Source));
            sources.Add(audio);
            senders.Add(SendOggAsync(socket, audio, stop.Token));
            if (options.Video || options.Screen)
            {
                var video = StartFfmpeg(VideoArguments(options));
                sources.Add(video);
                senders.Add(SendIvfAsync(socket, video, options.Screen ? StreamKind.Screen : StreamKind.Video, stop.Token));
            }
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
            foreach (var source in sources)
            {
                Stop(source);
            }
            await Task.WhenAll(senders.Select(s => s.ContinueWith(_ => { }, TaskScheduler.Default))).ConfigureAwait(false);
            output.WriteLine($"sent {_sentVideoFrames} video and {_sentAudioFrames} audio frames; received {_receivedAudioFrames} audio frames and {_receivedVideoFrames} video frames");
            await PrintPathAsync().ConfigureAwait(false);
            if (_recorder is not null)
            {
                await _recorder.FinishAsync().ConfigureAwait(false);
            }
        }
    }

    private static string VideoArguments(Options options)
    {
        var input = options.Screen ? $"-f x11grab -framerate 15 -i {Environment.GetEnvironmentVariable("DISPLAY") ?? ":0"}"
            : options.Source is { } file ? $"-re -i \"{file}\""
            : "-re -f lavfi -i testsrc2=size=640x360:rate=30";
        // ffmpeg on a pipe cannot make a keyframe when the far side asks, so it makes one every half
        // second: after a loss the picture is back within a second even when a busy machine makes ffmpeg
        // late, at the cost of a few more large frames. One encoder thread: libvpx's worker threads wait
        // for each other by spinning, which quadrupled the CPU a 30 fps source costs (40 % of a core, not 10 %).
        return $"{input} -an -c:v libvpx -threads 1 -deadline realtime -cpu-used 8 -b:v 800k -force_key_frames \"expr:gte(t,n_forced*0.5)\" -f ivf pipe:1";
    }

    private static string AudioArguments(string? source)
    {
        var input = source is { } file ? $"-re -i \"{file}\"" : "-re -f lavfi -i sine=frequency=440:sample_rate=48000";
        // One Ogg page a packet: by default ffmpeg fills a page with a second of packets, which would
        // reach the call in one-second bursts, all stamped at the moment the page came.
        return $"{input} -vn -ac 1 -ar 48000 -c:a libopus -b:a 32k -frame_duration 20 -application lowdelay -page_duration 20000 -f ogg pipe:1";
    }

    private static Process StartFfmpeg(string arguments) =>
        Process.Start(new ProcessStartInfo("ffmpeg", "-hide_banner -loglevel error -nostdin " + arguments) { RedirectStandardOutput = true, RedirectStandardError = true })
        ?? throw new CliException("ffmpeg did not start (install the Debian package ffmpeg)");

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
        catch (InvalidOperationException)
        {
        }
        process.Dispose();
    }

    private async Task SendIvfAsync(WebSocket socket, Process ffmpeg, StreamKind stream, CancellationToken cancellationToken)
    {
        // Frames carry ffmpeg's own capture times: a busy machine that makes ffmpeg late delays frames but
        // leaves no hole in the recording's timeline; only frames the path loses do.
        await foreach (var (timestamp, keyframe, data) in MediaContainers.ReadIvfAsync(ffmpeg.StandardOutput.BaseStream, cancellationToken).ConfigureAwait(false))
        {
            await SendAsync(socket, stream, keyframe, CodecVp8, (uint)timestamp, data, cancellationToken).ConfigureAwait(false);
            _sentVideoFrames++;
        }
    }

    private async Task SendOggAsync(WebSocket socket, Process ffmpeg, CancellationToken cancellationToken)
    {
        await foreach (var packet in MediaContainers.ReadOggOpusAsync(ffmpeg.StandardOutput.BaseStream, cancellationToken).ConfigureAwait(false))
        {
            await SendAsync(socket, StreamKind.Audio, false, CodecOpus, (uint)(_clock.Elapsed.TotalSeconds * 48_000), packet, cancellationToken).ConfigureAwait(false);
            _sentAudioFrames++;
        }
    }

    private async Task SendAsync(WebSocket socket, StreamKind stream, bool keyframe, byte codec, uint timestamp, byte[] data, CancellationToken cancellationToken)
    {
        await _sendGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _message.ResetWrittenCount();
            new PageFrame(stream, keyframe, codec, timestamp, data).Write(_message);
            await socket.SendAsync(_message.WrittenMemory, WebSocketMessageType.Binary, true, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _sendGate.Release();
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
