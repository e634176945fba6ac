using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Parley.Core.Hub.RoomCalls;

/// <summary>
/// One participant's hop key for one call (both ends hold it: the participant and the hub). Seals and
/// checks <see cref="RoomCallHop"/> tags without allocating. Not thread-safe: each user keeps its own.
/// </summary>
public sealed class RoomCallHopKey : IDisposable
{
    private readonly AesGcm _aes;
    private readonly byte[] _nonce = new byte[12];

    public RoomCallHopKey(ReadOnlySpan<byte> key)
    {
        if (key.Length != RoomCallHop.KeySize)
        {
            throw new ArgumentException($"a hop key is {RoomCallHop.KeySize} bytes", nameof(key));
        }
        _aes = new AesGcm(key, RoomCallHop.TagSize);
    }

    /// <summary>Writes the tag into the last <see cref="RoomCallHop.TagSize"/> bytes of <paramref name="packet"/> (header and body already written).</summary>
    public void Seal(Span<byte> packet, bool fromHub)
    {
        SetNonce(packet, fromHub);
        _aes.Encrypt(_nonce, [], [], packet[^RoomCallHop.TagSize..], packet[..^RoomCallHop.TagSize]);
    }

    /// <summary>True when the tag is this key's over the packet, for the direction given.</summary>
    public bool Verify(ReadOnlySpan<byte> packet, bool fromHub)
    {
        if (packet.Length < RoomCallHop.HeaderSize + RoomCallHop.TagSize)
        {
            return false;
        }
        SetNonce(packet, fromHub);
        try
        {
            _aes.Decrypt(_nonce, [], packet[^RoomCallHop.TagSize..], [], packet[..^RoomCallHop.TagSize]);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
    }

    private void SetNonce(ReadOnlySpan<byte> packet, bool fromHub)
    {
        _nonce.AsSpan().Clear();
        _nonce[0] = fromHub ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(_nonce.AsSpan(8), BinaryPrimitives.ReadUInt32BigEndian(packet[14..]));
    }

    public void Dispose() => _aes.Dispose();
}
