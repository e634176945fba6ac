using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Relay;

/// <summary>
/// A member cannot reach <see cref="Peer"/> directly and asks the hub to splice a connection.
/// <code>
/// RelayRequest: peer device ID (32) | request ID u32
/// </code>
/// </summary>
public sealed record RelayRequest(DeviceId Peer, uint RequestId) : IWireMessage<RelayRequest>
{
    public static int MaxSize => DeviceId.Size + 4;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out RelayRequest message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (payload.Length != MaxSize || !reader.TryReadDevice(out var peer) || !reader.TryReadU32(out var id))
        {
            error = $"a relay request is {MaxSize} bytes, not {payload.Length}";
            return false;
        }
        message = new RelayRequest(peer, id);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteDevice(Peer);
        output.WriteU32(RequestId);
    }
}
