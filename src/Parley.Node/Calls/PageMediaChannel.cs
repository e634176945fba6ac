using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;
using Parley.Core.Calls;
using Parley.Core.Protocol;
using Parley.Node.Api;
using Parley.Node.Events;

namespace Parley.Node.Calls;

/// <summary>
/// A page's media channel for a call (<c>GET /api/calls/{id}/media</c>, a WebSocket): binary
/// messages are encoded frames both ways (<see cref="PageFrame"/>); text messages are notices
/// (<see cref="CallNotice"/>). It lasts until the page leaves or the call ends (the node stopping
/// ends every call); the last page leaving an active call hangs up, since nothing goes on without it.
/// </summary>
internal static class PageMediaChannel
{
    public static async Task RunAsync(HttpContext context, CallService calls, Call call)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            throw new ApiRequestException("this endpoint speaks WebSocket");
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var outgoing = call.Listen();
        using var done = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var toPage = SendToPageAsync(socket, outgoing, done.Token);
        try
        {
            await ReceiveFromPageAsync(socket, calls, call, done.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // The page left.
        }
        finally
        {
            if (call.StopListening(outgoing) == 0 && call.State == CallState.Active)
            {
                calls.Hangup(call, "left the call");
            }
            await done.CancelAsync().ConfigureAwait(false);
            await toPage.ConfigureAwait(false);
        }
    }

    private static async Task ReceiveFromPageAsync(WebSocket socket, CallService calls, Call call, CancellationToken cancellationToken)
    {
        var buffer = new byte[PageFrame.MaxSize];
        while (socket.State == WebSocketState.Open)
        {
            if (await WholeMessages.ReceiveAsync(socket, buffer, "a frame is at most 290 KB", cancellationToken).ConfigureAwait(false) is not { } message)
            {
                return;
            }
            var (type, length) = message;
            if (type == WebSocketMessageType.Binary && WireMessage.TryRead<PageFrame>(buffer.AsMemory(0, length), out var frame, out _))
            {
                call.SendFromPage(frame);
            }
            else if (type == WebSocketMessageType.Text)
            {
                OnNotice(calls, call, Notice(buffer.AsSpan(0, length)));
            }
        }
    }

    /// <summary>What a page says in text: <c>{"type":"keyframe","stream":"video"}</c> (its decoder lost its footing), or its session description for the peer's page.</summary>
    private static void OnNotice(CallService calls, Call call, CallNotice? notice)
    {
        if (notice is { Type: CallNotice.KeyframeType, Stream: { } name } && Enum.TryParse<StreamKind>(name, ignoreCase: true, out var stream))
        {
            call.Session?.RequestKeyframe(stream);
        }
        else if (notice is { Type: CallNotice.SignalType, Kind: "offer" or "answer", Sdp: { } sdp })
        {
            calls.SendPageSignal(call, notice.Kind == "offer" ? PageSignalKind.Offer : PageSignalKind.Answer, sdp);
        }
    }

    private static CallNotice? Notice(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize<CallNotice>(json, EventHub.Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Frames (through one reused buffer) and notices to the page; at the call's end, the close.</summary>
    private static async Task SendToPageAsync(WebSocket socket, ChannelReader<object> items, CancellationToken cancellationToken)
    {
        var frames = new ArrayBufferWriter<byte>(64 * 1024);
        try
        {
            await foreach (var item in items.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (item is MediaFrame frame)
                {
                    frames.ResetWrittenCount();
                    PageFrame.Of(frame).Write(frames);
                    await socket.SendAsync(frames.WrittenMemory, WebSocketMessageType.Binary, true, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(item, EventHub.Json), WebSocketMessageType.Text, true, cancellationToken).ConfigureAwait(false);
                }
            }
            if (socket.State == WebSocketState.Open)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "the call ended", cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
        }
    }
}
