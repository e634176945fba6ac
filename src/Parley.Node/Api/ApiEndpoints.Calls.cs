using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Parley.Core.Calls;
using Parley.Node.Calls;
using Parley.Node.Events;

namespace Parley.Node.Api;

internal static partial class ApiEndpoints
{
    public sealed record PlaceCallRequest(string? Peer, bool Video, string[]? Codecs);

    public sealed record AnswerCallRequest(string[]? Codecs);

    public sealed record HangupRequest(string? Reason);

    private static void MapCalls(RouteGroupBuilder api, ParleyNode node)
    {
        var calls = node.Calls;
        api.MapGet("/calls", () => calls.All.Take(50).Select(c => c.ToJson()));
        api.MapGet("/calls/{id}", (string id) => calls.Find(id).ToJson());
        api.MapPost("/calls", (PlaceCallRequest body) =>
            calls.Place(string.IsNullOrWhiteSpace(body.Peer) ? throw new ApiRequestException("give the peer to call") : Resolve(node, body.Peer), body.Video, Codecs(body.Codecs).Aggregate(VideoCodecs.None, (all, codec) => all | codec)).ToJson());
        api.MapPost("/calls/{id}/accept", (string id, AnswerCallRequest? body) => calls.Accept(calls.Find(id), Codecs(body?.Codecs)).ToJson());
        api.MapPost("/calls/{id}/decline", (string id) => calls.Decline(calls.Find(id)).ToJson());
        api.MapPost("/calls/{id}/hangup", (string id, HangupRequest? body) =>
            calls.Hangup(calls.Find(id), string.IsNullOrWhiteSpace(body?.Reason) ? "hung up" : body.Reason[..Math.Min(body.Reason.Length, 200)]).ToJson());
        api.Map("/calls/{id}/media", (string id, HttpContext context) => CallMediaAsync(context, node, calls.Find(id)));
    }

    /// <summary>The video codecs a page can encode and decode, in its order of preference (names it does not know are skipped).</summary>
    private static VideoCodecs[] Codecs(string[]? names) => [.. (names ?? []).Take(8).Select(name => name.ToLowerInvariant() switch
    {
        "vp8" => VideoCodecs.Vp8,
        "vp9" => VideoCodecs.Vp9,
        "h264" => VideoCodecs.H264,
        _ => VideoCodecs.None,
    }).Where(codec => codec != VideoCodecs.None)];

    /// <summary>
    /// The page's media channel for a call: binary messages are encoded frames both ways
    /// (<see cref="PageFrame"/>); text messages to the page are notices (keyframe wanted, bitrate, ended).
    /// </summary>
    private static async Task CallMediaAsync(HttpContext context, ParleyNode node, Call call)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            throw new ApiRequestException("this endpoint speaks WebSocket");
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var outgoing = call.Listen();
        using var done = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, node.Stopping);
        var toPage = SendToPageAsync(socket, outgoing, done.Token);
        var buffer = new byte[FrameAssembler.MaxFrameBytes + PageFrame.HeaderSize];
        try
        {
            while (socket.State == WebSocketState.Open && !done.IsCancellationRequested)
            {
                var length = 0;
                ValueWebSocketReceiveResult received;
                do
                {
                    if (length == buffer.Length)
                    {
                        await socket.CloseAsync(WebSocketCloseStatus.MessageTooBig, "a frame is at most 290 KB", CancellationToken.None).ConfigureAwait(false);
                        return;
                    }
                    received = await socket.ReceiveAsync(buffer.AsMemory(length), done.Token).ConfigureAwait(false);
                    length += received.Count;
                }
                while (!received.EndOfMessage && received.MessageType != WebSocketMessageType.Close);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
                if (received.MessageType == WebSocketMessageType.Binary && PageFrame.Decode(buffer.AsMemory(0, length)) is { } frame)
                {
                    node.Calls.SendFromPage(call, frame.Stream, frame.Keyframe, frame.Codec, frame.Timestamp, frame.Data.Span);
                }
                else if (received.MessageType == WebSocketMessageType.Text && PageNotice(buffer.AsSpan(0, length)) is { } stream)
                {
                    call.Session?.RequestKeyframe(stream); // the page's decoder lost its footing
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // The page left or the node is stopping.
        }
        finally
        {
            // The last page leaving an active call (closed, reloaded away, crashed) hangs up: nothing goes on without it.
            if (call.StopListening(outgoing) == 0 && call.State == CallState.Active)
            {
                node.Calls.Hangup(call, "left the call");
            }
            await done.CancelAsync().ConfigureAwait(false);
            await toPage.ConfigureAwait(false);
        }
    }

    /// <summary>The stream of a page's <c>{"type":"keyframe","stream":"video"}</c>, or null for anything else.</summary>
    private static StreamKind? PageNotice(ReadOnlySpan<byte> json)
    {
        try
        {
            using var document = JsonDocument.Parse(json.ToArray());
            return document.RootElement.TryGetProperty("type", out var type) && type.GetString() == "keyframe"
                && document.RootElement.TryGetProperty("stream", out var stream) && Enum.TryParse<StreamKind>(stream.GetString(), ignoreCase: true, out var kind)
                ? kind : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static async Task SendToPageAsync(WebSocket socket, System.Threading.Channels.ChannelReader<object> items, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var item in items.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (item is MediaFrame frame)
                {
                    await socket.SendAsync(PageFrame.Encode(frame), WebSocketMessageType.Binary, true, cancellationToken).ConfigureAwait(false);
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
