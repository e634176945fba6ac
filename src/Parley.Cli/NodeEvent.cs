using System.Buffers;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Parley.Node.Events;

namespace Parley.Cli;

/// <summary>
/// One message of the node's event stream, <c>{"type": …, "data": …}</c>. The type is a constant of a class
/// marked <see cref="EventNamesAttribute"/> and names the record <see cref="Data"/> holds; <see cref="Read{T}"/> reads it.
/// </summary>
internal sealed record NodeEvent(string Type, JsonElement Data)
{
    public T Read<T>() => Data.Deserialize<T>(EventHub.Json) ?? throw new JsonException($"a {Type} event without data");

    /// <summary>The events of an open event stream, until the node closes it.</summary>
    public static async IAsyncEnumerable<NodeEvent> ReadAllAsync(WebSocket socket, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // An event is read whole however long: a 64 KiB chat message of control characters is some 400 KB
        // once escaped in JSON, and the stream is our own node's.
        var message = new ArrayBufferWriter<byte>(64 * 1024);
        while (socket.State == WebSocketState.Open)
        {
            message.ResetWrittenCount();
            ValueWebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(message.GetMemory(16 * 1024), cancellationToken).ConfigureAwait(false);
                message.Advance(result.Count);
            }
            while (!result.EndOfMessage);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                yield break;
            }
            yield return JsonSerializer.Deserialize<NodeEvent>(message.WrittenSpan, EventHub.Json)
                ?? throw new JsonException("an empty event");
        }
    }
}
