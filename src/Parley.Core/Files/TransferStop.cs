using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Files;

/// <summary>
/// The payload of TransferCancel (either side ends the transfer) and TransferPause (the receiver
/// stops the sender for a while, e.g. its disk is full): offer ID (16) | reason (UTF-8, at most 256 bytes).
/// </summary>
public sealed record TransferStop(Guid OfferId, string Reason) : IWireMessage<TransferStop>
{
    public static int MaxSize => FileWire.IdSize + ProtocolLimits.MaxCloseReasonBytes;

    public void Write(IBufferWriter<byte> output)
    {
        FileWire.WriteId(output, OfferId);
        FileWire.WriteReason(output, Reason);
    }

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out TransferStop message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!FileWire.TryReadId(ref reader, out var id))
        {
            error = $"transfer stop of {payload.Length} bytes has no offer ID";
            return false;
        }
        message = new TransferStop(id, FileWire.ReadReason(ref reader));
        error = "";
        return true;
    }
}
