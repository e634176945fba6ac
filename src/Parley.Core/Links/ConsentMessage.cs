using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Links;

/// <summary>Consent: accepts u8 (1: the sender now holds the receiver as a contact). Sent when the user accepts after the hello said no.</summary>
public readonly record struct ConsentMessage(bool Accepts) : IWireMessage<ConsentMessage>
{
    public static int MaxSize => 1;

    public void Write(IBufferWriter<byte> output)
    {
        output.GetSpan(1)[0] = Accepts ? (byte)1 : (byte)0;
        output.Advance(1);
    }

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out ConsentMessage message, out string error)
    {
        message = default;
        if (payload.Length != 1)
        {
            error = "consent must carry 1 byte";
            return false;
        }
        var value = payload.FirstSpan[0];
        if (value > 1)
        {
            error = $"consent value {value} is not 0 or 1";
            return false;
        }
        message = new ConsentMessage(value == 1);
        error = "";
        return true;
    }
}
