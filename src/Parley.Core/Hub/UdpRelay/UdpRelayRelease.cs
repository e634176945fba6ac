using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.UdpRelay;

/// <summary>
/// The member is done with an allocation (its call ended): the hub closes its port at once.
/// <code>
/// UdpRelayRelease: allocation ID u32
/// </code>
/// </summary>
public sealed record UdpRelayRelease(uint AllocationId) : IWireMessage<UdpRelayRelease>
{
    public static int MaxSize => 4;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out UdpRelayRelease message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (payload.Length != 4 || !reader.TryReadU32(out var id))
        {
            error = "a release is an allocation ID, 4 bytes";
            return false;
        }
        message = new UdpRelayRelease(id);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output) => output.WriteU32(AllocationId);
}
