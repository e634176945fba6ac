using System.Buffers;
using System.Buffers.Binary;
using Parley.Core.Protocol;

namespace Parley.Core.Calls;

/// <summary>
/// The packet numbers a receiver is missing, sealed in a Nack packet; the sender resends those it
/// still keeps, byte for byte.
/// <code>
/// packet number u32, repeated (at most <see cref="MaxNumbers"/>)
/// </code>
/// </summary>
public readonly record struct NackList(IReadOnlyList<uint> Numbers) : IWireMessage<NackList>
{
    /// <summary>Most numbers in one list: a receiver asks for more in the next one.</summary>
    public const int MaxNumbers = 256;

    public static int MaxSize => MaxNumbers * 4;

    public static bool TryRead(in ReadOnlySequence<byte> payload, out NackList message, out string error)
    {
        message = default;
        if (payload.Length > MaxSize || payload.Length % 4 != 0)
        {
            error = "a NACK list is whole packet numbers, at most 256";
            return false;
        }
        var numbers = new uint[payload.Length / 4];
        var reader = new SequenceReader<byte>(payload);
        for (var i = 0; i < numbers.Length; i++)
        {
            reader.TryReadBigEndian(out int number);
            numbers[i] = (uint)number;
        }
        message = new NackList(numbers);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        var bytes = output.GetSpan(Numbers.Count * 4);
        for (var i = 0; i < Numbers.Count; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes[(i * 4)..], Numbers[i]);
        }
        output.Advance(Numbers.Count * 4);
    }
}
