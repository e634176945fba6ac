using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Parley.Core.Identity;
using Parley.Node.Contacts;

namespace Parley.Node.Api;

/// <summary>Routes of the local API. Each area (peers, chat, files, hub, rooms, uploads, web) has its own partial file.</summary>
internal static partial class ApiEndpoints
{
    public static void Map(IEndpointRouteBuilder app, ParleyNode node, WebSessions sessions, ApiSecurity security)
    {
        var api = app.MapGroup("/api");
        api.MapGet("/status", () => new
        {
            deviceId = node.DeviceId.ToString(),
            name = node.Name,
            peerPort = node.PeerPort,
            apiUrl = node.ApiUrl.ToString().TrimEnd('/'),
            discovery = node.DiscoveryEnabled,
            home = node.Options.Home,
            protocolVersion = Core.Protocol.Hello.CurrentVersion,
        });
        api.MapPost("/stop", () =>
        {
            node.RequestStop();
            return Results.Accepted();
        });
        api.MapGet("/invite", () => new { invite = node.CreateInvite().ToString() });
        api.Map("/events", context => StreamEventsAsync(context, node));
        MapPeers(api, node);
        MapChat(api, node);
        MapFiles(api, node);
        Hub.HubEndpoints.Map(api);
        Rooms.RoomsEndpoints.Map(api);
        MapUploads(api, node);
        MapVideos(app, api, node);
        MapCalls(api, node);
        MapWeb(app, api, node, sessions, security);
    }

    /// <summary>What the user typed for a peer, as a device ID, among known and nearby devices.</summary>
    private static DeviceId Resolve(ParleyNode node, string text) => PeerResolver.Resolve(
        Uri.UnescapeDataString(text),
        node.Contacts.All.Select(p => new PeerCandidate(DeviceId.Parse(p.DeviceId), [p.Alias ?? "", p.RemoteName]))
            .Concat(node.Nearby.Current.Select(n => new PeerCandidate(n.DeviceId, n.Name))));

    /// <summary>True when the peer text names a room ("#name", maybe escaped): chat and read marks then go to the room.</summary>
    private static bool IsRoom(string peer) => Uri.UnescapeDataString(peer).StartsWith('#');

    /// <summary>Each event as one WebSocket text message, until the client leaves or the node stops.</summary>
    private static async Task StreamEventsAsync(HttpContext context, ParleyNode node)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsJsonAsync(new { error = "this endpoint speaks WebSocket" }).ConfigureAwait(false);
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync().ConfigureAwait(false);
        using var subscription = node.Events.Subscribe();
        using var sending = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, node.Stopping);
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
