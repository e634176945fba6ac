using System.Net.WebSockets;

namespace Parley.Node.Api;

/// <summary>Whole WebSocket messages from a page, each into one buffer whose size is the limit.</summary>
internal static class WholeMessages
{
    /// <summary>
    /// The next whole message in <paramref name="buffer"/>: its type and length; null when the page closed, or sent one
    /// longer than the buffer (then closed with <paramref name="tooBig"/> as the reason).
    /// </summary>
    public static async Task<(WebSocketMessageType Type, int Length)?> ReceiveAsync(WebSocket socket, byte[] buffer, string tooBig, CancellationToken cancellationToken)
    {
        var length = 0;
        ValueWebSocketReceiveResult received;
        do
        {
            if (length == buffer.Length)
            {
                await socket.CloseAsync(WebSocketCloseStatus.MessageTooBig, tooBig, CancellationToken.None).ConfigureAwait(false);
                return null;
            }
            received = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            length += received.Count;
        }
        while (!received.EndOfMessage && received.MessageType != WebSocketMessageType.Close);
        return received.MessageType == WebSocketMessageType.Close ? null : (received.MessageType, length);
    }
}
