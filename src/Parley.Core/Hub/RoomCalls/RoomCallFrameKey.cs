using System.Security.Cryptography;

namespace Parley.Core.Hub.RoomCalls;

/// <summary>
/// A participant's end-to-end media key for a room call: a new one (next key ID) whenever anyone joins
/// or leaves, handed to each other participant sealed to its agreement key (<see cref="RoomCallKey"/>).
/// <code>
/// plaintext sealed: key ID u8 | key (32)
/// </code>
/// </summary>
public sealed record RoomCallFrameKey(byte KeyId, byte[] Key)
{
    public const int KeySize = 32;
    public const int Size = 1 + KeySize;

    public static RoomCallFrameKey Create(byte keyId) => new(keyId, RandomNumberGenerator.GetBytes(KeySize));

    public byte[] ToBytes() => [KeyId, .. Key];

    public static bool TryRead(ReadOnlySpan<byte> bytes, out RoomCallFrameKey key)
    {
        key = null!;
        if (bytes.Length != Size)
        {
            return false;
        }
        key = new RoomCallFrameKey(bytes[0], bytes[1..].ToArray());
        return true;
    }
}
