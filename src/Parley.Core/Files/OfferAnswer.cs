using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Files;

/// <summary>
/// OfferAnswer: offer ID (16) | accepted u8 (1 = yes, anything else no) | reason (UTF-8, at most 256
/// bytes; shown to the sender when refused).
/// </summary>
public sealed record OfferAnswer(Guid OfferId, bool Accepted, string Reason) : IWireMessage<OfferAnswer>
{
    public static int MaxSize => FileWire.IdSize + 1 + ProtocolLimits.MaxCloseReasonBytes;

    public static OfferAnswer Accept(Guid offerId) => new(offerId, Accepted: true, "");

    public static OfferAnswer Refuse(Guid offerId, string reason) => new(offerId, Accepted: false, reason);

    public void Write(IBufferWriter<byte> output)
    {
        FileWire.WriteId(output, OfferId);
        output.Write([Accepted ? (byte)1 : (byte)0]);
        FileWire.WriteReason(output, Reason);
    }

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out OfferAnswer message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!FileWire.TryReadId(ref reader, out var id) || !reader.TryRead(out var accepted))
        {
            error = $"offer answer of {payload.Length} bytes is truncated";
            return false;
        }
        message = new OfferAnswer(id, accepted == 1, FileWire.ReadReason(ref reader));
        error = "";
        return true;
    }
}
