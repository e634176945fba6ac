using System.Buffers.Binary;
using System.Net;
using System.Security.Cryptography;

namespace Parley.Core.Traversal;

/// <summary>
/// Writes one STUN message (layout on <see cref="StunMessage"/>): the header, attributes padded to 4
/// bytes, then optionally MESSAGE-INTEGRITY and FINGERPRINT, in that order, each computed over what
/// came before with the header's length already counting it.
/// </summary>
internal sealed class StunMessageBuilder
{
    private readonly byte[] _transactionId;
    private byte[] _buffer;
    private int _length;

    /// <summary>A message of <paramref name="type"/>; a new random transaction ID unless one is given (a response echoes the request's).</summary>
    public StunMessageBuilder(ushort type, ReadOnlySpan<byte> transactionId = default, int capacity = 256)
    {
        _buffer = new byte[Math.Max(capacity, StunMessage.HeaderSize)];
        _transactionId = transactionId.IsEmpty ? RandomNumberGenerator.GetBytes(12) : transactionId.ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(_buffer, type);
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.AsSpan(4), StunMessage.MagicCookie);
        _transactionId.CopyTo(_buffer, 8);
        _length = StunMessage.HeaderSize;
    }

    public ReadOnlySpan<byte> TransactionId => _transactionId;

    public StunMessageBuilder Add(ushort type, ReadOnlySpan<byte> value)
    {
        var padded = (value.Length + 3) & ~3;
        if (_buffer.Length - _length < 4 + padded)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + 4 + padded));
        }
        var span = _buffer.AsSpan(_length, 4 + padded);
        BinaryPrimitives.WriteUInt16BigEndian(span, type);
        BinaryPrimitives.WriteUInt16BigEndian(span[2..], (ushort)value.Length);
        value.CopyTo(span[4..]);
        span[(4 + value.Length)..].Clear();
        _length += 4 + padded;
        return this;
    }

    public StunMessageBuilder Add(ushort type, string value) => Add(type, System.Text.Encoding.UTF8.GetBytes(value));

    public StunMessageBuilder AddUInt32(ushort type, uint value)
    {
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return Add(type, bytes);
    }

    public StunMessageBuilder AddXorAddress(ushort type, IPEndPoint endPoint) => Add(type, StunAddress.WriteXor(endPoint, _transactionId));

    /// <summary>Appends MESSAGE-INTEGRITY keyed with <paramref name="key"/> (§14.5).</summary>
    public StunMessageBuilder AddIntegrity(ReadOnlySpan<byte> key)
    {
        var hmac = StunIntegrity.Compute(_buffer.AsSpan(0, _length), _length, key);
        return Add(StunAttribute.MessageIntegrity, hmac);
    }

    /// <summary>Appends FINGERPRINT (§14.7); the last attribute.</summary>
    public StunMessageBuilder AddFingerprint()
    {
        SetLength(_length + 8);
        return AddUInt32(StunAttribute.Fingerprint, StunIntegrity.Fingerprint(_buffer.AsSpan(0, _length)));
    }

    public byte[] ToArray()
    {
        SetLength(_length);
        return _buffer.AsSpan(0, _length).ToArray();
    }

    /// <summary>Sets the header's length field to a message of <paramref name="total"/> bytes.</summary>
    private void SetLength(int total) => BinaryPrimitives.WriteUInt16BigEndian(_buffer.AsSpan(2), (ushort)(total - StunMessage.HeaderSize));
}
