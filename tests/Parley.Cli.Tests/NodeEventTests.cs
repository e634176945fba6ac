using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Parley.Node.Chat;
using Parley.Node.Storage;

namespace Parley.Cli.Tests;

/// <summary>Reading the node's event stream: each WebSocket message is one whole event, whatever its size.</summary>
public sealed class NodeEventTests
{
    [Fact]
    public async Task ReadAll_AnEventLargerThanAnyBuffer_IsReadWhole_AndTheNextOneAfterIt()
    {
        // A full-size chat message of control characters: each is six bytes once escaped, some 400 KB in all.
        // The chat session read events into 256 KiB and crashed on such a message (bug).
        var text = new string('\u0001', 65_536);
        var big = new MessageView(Guid.NewGuid(), "#lounge", "#lounge", null, "bob", false, text, DateTimeOffset.UnixEpoch, MessageState.Received, 1);
        var small = big with { Text = "after" };
        var events = new[] { big, small }.Select(m => Encoding.UTF8.GetBytes(PublishedEvents.Json(ChatEvents.Message, m))).ToList();
        Assert.InRange(events[0].Length, 256 * 1024 + 1, int.MaxValue);
        var (client, server) = await ConnectedPairAsync();
        using (client)
        using (server)
        {
            var sending = Task.Run(async () =>
            {
                foreach (var json in events)
                {
                    await server.SendAsync(json, WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
                }
                await server.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
            });

            var read = new List<MessageView>();
            await foreach (var e in NodeEvent.ReadAllAsync(client, CancellationToken.None))
            {
                read.Add(e.Read<MessageView>());
            }
            await sending;
            Assert.Equal([text, "after"], read.Select(m => m.Text));
        }
    }

    /// <summary>Two WebSockets over a loopback TCP connection.</summary>
    private static async Task<(WebSocket Client, WebSocket Server)> ConnectedPairAsync()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            var connecting = new TcpClient();
            await connecting.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
            var accepted = await listener.AcceptTcpClientAsync();
            var keepAlive = TimeSpan.Zero;
            return (WebSocket.CreateFromStream(connecting.GetStream(), isServer: false, subProtocol: null, keepAlive),
                WebSocket.CreateFromStream(accepted.GetStream(), isServer: true, subProtocol: null, keepAlive));
        }
        finally
        {
            listener.Stop();
        }
    }
}
