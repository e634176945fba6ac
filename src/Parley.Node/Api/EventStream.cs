using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Http;
using Parley.Node.Events;

namespace Parley.Node.Api;

/// <summary><c>GET /api/events</c>: each event as one WebSocket text message, until the client leaves or the node stops.</summary>
internal static class EventStream
{
    public static async Task ServeAsync(HttpContext context, EventHub events, NodeLifetime lifetime)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsJsonAsync(new ApiError("this endpoint speaks WebSocket")).ConfigureAwait(false);
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        using var subscription = events.Subscribe();
        using var sending = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.Stopping);
        // Receiving is never cancelled by the node stopping (that would abort the socket before it can say goodbye).
        var incoming = DrainIncomingAsync(socket, sending, context.RequestAborted);
        try
        {
            while (await subscription.Reader.WaitToReadAsync(sending.Token).ConfigureAwait(false))
            {
                while (subscription.Reader.TryRead(out var json))
                {
                    await socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, sending.Token).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // The client left, or the node is stopping.
        }
        if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
            try
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.EndpointUnavailable, "node stopping", timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException)
            {
            }
        }
        await Task.WhenAny(incoming, Task.Delay(TimeSpan.FromSeconds(1))).ConfigureAwait(false);
    }

    /// <summary>The stream is one-way: reading only notices the client closing (and discards anything it sends).</summary>
    private static async Task DrainIncomingAsync(WebSocket socket, CancellationTokenSource sending, CancellationToken aborted)
    {
        var buffer = new byte[1024];
        try
        {
            while (socket.State is WebSocketState.Open or WebSocketState.CloseSent)
            {
                var result = await socket.ReceiveAsync(buffer, aborted).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
        }
        await sending.CancelAsync().ConfigureAwait(false);
    }
}
