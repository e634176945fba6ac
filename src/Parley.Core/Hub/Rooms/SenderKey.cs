using System.Security.Cryptography;

namespace Parley.Core.Hub.Rooms;

/// <summary>A member's current key for its own messages in one room (in the manner of Signal's sender keys).</summary>
public sealed class SenderKey(uint keyId, byte[] key)
{
    private long _counter;

    public uint KeyId { get; } = keyId;

    public byte[] Key { get; } = key;

    public static SenderKey CreateRandom() => new(BitConverter.ToUInt32(RandomNumberGenerator.GetBytes(4)), RandomNumberGenerator.GetBytes(32));

    /// <summary>The next message number: with the key ID it makes the AES-GCM nonce, never reused under one key.</summary>
    public ulong NextCounter() => (ulong)Interlocked.Increment(ref _counter);
}
