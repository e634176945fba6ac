using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http;
using Parley.Core.Calls;
using Parley.Core.Hub.RoomCalls;
using Parley.Core.Protocol;
using Parley.Node.Api;
using Parley.Node.Events;

namespace Parley.Node.RoomCalls;

/// <summary>
/// A page's media channel for a room call (<c>GET /api/rooms/{room}/call/media</c>, a WebSocket). The
/// page sends its encoded frames as a 1:1 call's page does (<see cref="PageFrame"/>) and text notices
/// (<see cref="RoomCallPageNotice"/>: its state, its microphone's level, a keyframe it needs). The node
/// sends each other participant's frames as <c>participant u16 | level u8 | page frame</c> and text
/// notices (<see cref="RoomCallNodeNotice"/>). When the page goes, the node leaves the call: nobody is
/// left to see or hear it.
/// </summary>
internal static class RoomCallPageChannel
{
    /// <summary>Longest text notice a page sends, in bytes. 1 KiB.</summary>
    private const int MaxNotice = 1024;

    public static async Task RunAsync(HttpContext context, RoomCallService calls, RoomCallSession session)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            throw new ApiRequestException("this endpoint speaks WebSocket");
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        var outgoing = session.Attach();
        using var done = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        var toPage = SendToPageAsync(socket, outgoing, done.Token);
        try
        {
            await ReceiveFromPageAsync(socket, session, outgoing, done.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // The page left.
        }
        finally
        {
            if (session.Detach(outgoing) && session.EndReason is null)
            {
                calls.Leave(session.Room);
            }
            await done.CancelAsync().ConfigureAwait(false);
            await toPage.ConfigureAwait(false);
        }
    }

    private static async Task ReceiveFromPageAsync(WebSocket socket, RoomCallSession session, ChannelReader<object> attached, CancellationToken cancellationToken)
    {
        var buffer = new byte[PageFrame.MaxSize];
        while (socket.State == WebSocketState.Open)
        {
            if (await WholeMessages.ReceiveAsync(socket, buffer, "a frame is at most 290 KB", cancellationToken).ConfigureAwait(false) is not { } message)
            {
                return;
            }
            if (!session.IsAttached(attached))
            {
                return; // another tab took the call: what this one still sends would mix with its frames under our frame numbers
            }
            var (type, length) = message;
            if (type == WebSocketMessageType.Binary)
            {
                if (!WireMessage.TryRead<PageFrame>(buffer.AsMemory(0, length), out var frame, out var error))
                {
                    await socket.CloseAsync(WebSocketCloseStatus.InvalidPayloadData, error, CancellationToken.None).ConfigureAwait(false);
                    return;
                }
                session.SendFromPage(frame);
            }
            else if (length <= MaxNotice)
            {
                OnNotice(session, Notice(buffer.AsSpan(0, length)));
            }
        }
    }

    private static void OnNotice(RoomCallSession session, RoomCallPageNotice? notice)
    {
        switch (notice?.Type)
        {
            case RoomCallPageNotice.StateType:
                session.SetState((notice.Muted ? RoomCallPeerState.Muted : 0) | (notice.CameraOff ? RoomCallPeerState.CameraOff : 0)
                    | (notice.Sharing ? RoomCallPeerState.Sharing : 0));
                break;
            case RoomCallPageNotice.LevelType:
                session.SetLevel(notice.Level);
                break;
            case RoomCallPageNotice.KeyframeType:
                session.AskKeyframe(notice.Participant);
                break;
        }
    }

    private static RoomCallPageNotice? Notice(ReadOnlySpan<byte> json)
    {
        try
        {
            return JsonSerializer.Deserialize<RoomCallPageNotice>(json, EventHub.Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The others' frames and the node's notices to the page; at the call's end, the close.</summary>
    private static async Task SendToPageAsync(WebSocket socket, ChannelReader<object> items, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var item in items.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (item is RoomCallFrame frame)
                {
                    await socket.SendAsync(RoomCallSession.ForPage(frame), WebSocketMessageType.Binary, true, cancellationToken).ConfigureAwait(false);
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
