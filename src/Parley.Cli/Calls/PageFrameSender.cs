using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using Parley.Core.Calls;

namespace Parley.Cli.Calls;

/// <summary>
/// Sends ffmpeg's media (<see cref="FfmpegMedia"/>) to a node's media channel as a page does, one
/// <see cref="PageFrame"/> a WebSocket message: the same for a 1:1 call and a room call. Stopping it
/// (the token, or <see cref="DisposeAsync"/>) stops ffmpeg.
/// </summary>
internal sealed class PageFrameSender(WebSocket socket) : IAsyncDisposable
{
    // Codec bytes as the pages use them (js/calls/engine.js): VP8 is the video codec bit, Opus 16.
    private const byte CodecVp8 = (byte)VideoCodecs.Vp8, CodecOpus = 16;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly SemaphoreSlim _sendGate = new(1, 1);

    /// <summary>One buffer for every frame sent (under the send gate).</summary>
    private readonly ArrayBufferWriter<byte> _message = new(64 * 1024);
    private readonly List<Process> _sources = [];
    private readonly List<Task> _senders = [];

    public int VideoFrames { get; private set; }

    public int AudioFrames { get; private set; }

    /// <summary>Starts ffmpeg (voice, and video when asked) and sends its frames until <paramref name="cancellationToken"/>.</summary>
    public void Start(FfmpegMedia.Source source, CancellationToken cancellationToken)
    {
        var audio = FfmpegMedia.Start(FfmpegMedia.AudioArguments(source));
        _sources.Add(audio);
        _senders.Add(SendOggAsync(audio, cancellationToken));
        if (source.Video || source.Screen)
        {
            var video = FfmpegMedia.Start(FfmpegMedia.VideoArguments(source));
            _sources.Add(video);
            _senders.Add(SendIvfAsync(video, source.Screen ? StreamKind.Screen : StreamKind.Video, cancellationToken));
        }
    }

    private async Task SendIvfAsync(Process ffmpeg, StreamKind stream, CancellationToken cancellationToken)
    {
        // Frames carry ffmpeg's own capture times: a busy machine that makes ffmpeg late delays frames but
        // leaves no hole in the recording's timeline; only frames the path loses do.
        await foreach (var (timestamp, keyframe, data) in MediaContainers.ReadIvfAsync(ffmpeg.StandardOutput.BaseStream, cancellationToken).ConfigureAwait(false))
        {
            await SendAsync(stream, keyframe, CodecVp8, (uint)timestamp, data, cancellationToken).ConfigureAwait(false);
            VideoFrames++;
        }
    }

    private async Task SendOggAsync(Process ffmpeg, CancellationToken cancellationToken)
    {
        await foreach (var packet in MediaContainers.ReadOggOpusAsync(ffmpeg.StandardOutput.BaseStream, cancellationToken).ConfigureAwait(false))
        {
            await SendAsync(StreamKind.Audio, false, CodecOpus, (uint)(_clock.Elapsed.TotalSeconds * 48_000), packet, cancellationToken).ConfigureAwait(false);
            AudioFrames++;
        }
    }

    private async Task SendAsync(StreamKind stream, bool keyframe, byte codec, uint timestamp, byte[] data, CancellationToken cancellationToken)
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

    /// <summary>Stops ffmpeg and waits for the send loops (which end with ffmpeg's output or the token).</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var source in _sources)
        {
            FfmpegMedia.Stop(source);
        }
        await Task.WhenAll(_senders.Select(s => s.ContinueWith(_ => { }, TaskScheduler.Default))).ConfigureAwait(false);
        _sendGate.Dispose();
    }
}
