using System.Net.WebSockets;
using Parley.Core.Calls;

namespace Parley.Cli.Calls;

/// <summary>
/// What a 1:1 call and a room call share from the terminal: the node's media channel (a WebSocket of
/// its API) carries ffmpeg's frames out (<see cref="PageFrameSender"/>) and the others' frames and
/// notices in, until the node says the call ended for us, <c>--seconds</c> are up, or Ctrl+C. Stopping
/// goes through the API (<see cref="StopCallAsync"/>: hang up, leave), so the others hear why and the
/// node's "ended" notice ends the receive loop with everything received; cancelling a receive would
/// drop the channel instead. If the node does not answer within 5 s, the channel is dropped.
/// </summary>
internal abstract class MediaChannelRunner(ApiClient api, TextWriter output)
{
    private int _receivedAudioFrames;
    private int _receivedVideoFrames;

    protected TextWriter Output => output;

    protected ApiClient Api => api;

    /// <summary>The media channel's path in the node's API.</summary>
    protected abstract string MediaPath { get; }

    /// <summary>Why the call ended when we stopped it and the node did not say.</summary>
    protected abstract string StoppedReason { get; }

    /// <summary>Ends the call for us through the API (the node's "ended" notice follows on the channel).</summary>
    protected abstract Task StopCallAsync();

    /// <summary>A text notice; the reason when it says the call ended for us, else null.</summary>
    protected abstract ValueTask<string?> OnNoticeAsync(ReadOnlyMemory<byte> json);

    /// <summary>A binary message: someone's frame, in the channel's own layout.</summary>
    protected abstract void OnFrame(ReadOnlyMemory<byte> message);

    /// <summary>After the channel: recordings written, figures printed.</summary>
    protected abstract Task FinishAsync();

    /// <summary>Counts a received frame for the closing line.</summary>
    protected void Received(StreamKind stream)
    {
        if (stream == StreamKind.Audio)
        {
            _receivedAudioFrames++;
        }
        else
        {
            _receivedVideoFrames++;
        }
    }

    /// <summary>Runs the channel until the call ends for us; returns why.</summary>
    protected async Task<string> RunChannelAsync(FfmpegMedia.Source source, double? seconds, CancellationToken cancellationToken)
    {
        using var socket = await api.OpenSocketAsync(MediaPath, cancellationToken).ConfigureAwait(false);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (seconds is { } limit)
        {
            stop.CancelAfter(TimeSpan.FromSeconds(limit));
        }
        var sender = new PageFrameSender(socket);
        try
        {
            sender.Start(source, stop.Token);
            using var abort = new CancellationTokenSource();
            using var stopping = stop.Token.Register(() =>
            {
                abort.CancelAfter(TimeSpan.FromSeconds(5));
                _ = StopQuietlyAsync();
            });
            return await ReceiveAsync(socket, abort.Token).ConfigureAwait(false) ?? StoppedReason;
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await sender.DisposeAsync().ConfigureAwait(false);
            output.WriteLine($"sent {sender.VideoFrames} video and {sender.AudioFrames} audio frames; received {_receivedAudioFrames} audio frames and {_receivedVideoFrames} video frames");
            await FinishAsync().ConfigureAwait(false);
        }
    }

    private async Task StopQuietlyAsync()
    {
        try
        {
            await StopCallAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is CliException or HttpRequestException)
        {
            // The node is gone: the channel's drop ends the loop.
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
                    if (await OnNoticeAsync(buffer.AsMemory(0, length)).ConfigureAwait(false) is { } reason)
                    {
                        return reason;
                    }
                }
                else
                {
                    OnFrame(buffer.AsMemory(0, length));
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            return null;
        }
    }
}
