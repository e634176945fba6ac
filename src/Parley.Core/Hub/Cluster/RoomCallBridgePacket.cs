using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Parley.Core.Hub.RoomCalls;

namespace Parley.Core.Hub.Cluster;

/// <summary>
/// A room call hop packet from one hub of a cluster to another, over UDP between their bridge sockets:
/// media of the sending hub's own participants (once per hub, whatever the number of its participants
/// there), or a NACK or keyframe request for a source on the receiving hub. The hop packet (its tag left
/// off: each hub seals its own hops) is encrypted with AES-256-GCM under the key of the ordered pair of
/// hub instances (<see cref="DeriveKey"/>), from the cluster's secret, which only hubs holding the
/// cluster's identity file can derive; the bridge header is associated data and the counter the nonce.
/// <code>
/// 0 marker u8 (0x50) | 1 sending hub's instance u64 | 9 receiving hub's call ID u32 | 13 counter u64 | 21 hop packet without its tag (encrypted) | tag (16)
/// nonce: 4 zero bytes | counter u64
/// key: HKDF-SHA256(cluster secret, info "parley-room-call-bridge-v1" | sending instance u64 | receiving instance u64)
/// </code>
/// </summary>
public static class RoomCallBridgePacket
{
    public const byte Marker = 0x50;
    public const int HeaderSize = 21;
    public const int TagSize = 16;
    public const int KeySize = 32;

    /// <summary>The largest: a largest hop packet, its tag swapped for the bridge's header and tag.</summary>
    public const int MaxSize = HeaderSize + RoomCallHop.MaxSize - RoomCallHop.TagSize + TagSize;

    public const int MinSize = HeaderSize + RoomCallHop.HeaderSize + TagSize;

    /// <summary>The secret every hub of the cluster derives from the cluster identity's private key (never sent anywhere).</summary>
    public static byte[] DeriveSecret(ReadOnlySpan<byte> identityPrivateKey)
    {
        var secret = new byte[KeySize];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, identityPrivateKey, secret, [], "parley-hub-cluster-secret-v1"u8);
        return secret;
    }

    /// <summary>The key for packets from <paramref name="from"/> to <paramref name="to"/> (one direction only, so each counter is one sender's).</summary>
    public static byte[] DeriveKey(ReadOnlySpan<byte> secret, ulong from, ulong to)
    {
        Span<byte> info = stackalloc byte[26 + 16];
        Encoding.ASCII.GetBytes("parley-room-call-bridge-v1", info);
        BinaryPrimitives.WriteUInt64BigEndian(info[26..], from);
        BinaryPrimitives.WriteUInt64BigEndian(info[34..], to);
        var key = new byte[KeySize];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, key, [], info);
        return key;
    }

    /// <summary>The clear header of a packet of plausible size; never throws.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> packet, out ulong from, out uint toCall, out ulong counter)
    {
        (from, toCall, counter) = (0, 0, 0);
        if (packet.Length is < MinSize or > MaxSize || packet[0] != Marker)
        {
            return false;
        }
        from = BinaryPrimitives.ReadUInt64BigEndian(packet[1..]);
        toCall = BinaryPrimitives.ReadUInt32BigEndian(packet[9..]);
        counter = BinaryPrimitives.ReadUInt64BigEndian(packet[13..]);
        return counter < long.MaxValue;
    }

    /// <summary>
    /// Writes <paramref name="hop"/> (a whole hop packet, its tag slot included and left out) into <paramref name="into"/> as a bridge packet
    /// under <paramref name="key"/>; returns its length.
    /// </summary>
    public static int Seal(AesGcm key, ulong from, uint toCall, ulong counter, ReadOnlySpan<byte> hop, Span<byte> into)
    {
        var inner = hop[..^RoomCallHop.TagSize];
        into[0] = Marker;
        BinaryPrimitives.WriteUInt64BigEndian(into[1..], from);
        BinaryPrimitives.WriteUInt32BigEndian(into[9..], toCall);
        BinaryPrimitives.WriteUInt64BigEndian(into[13..], counter);
        Span<byte> nonce = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64BigEndian(nonce[4..], counter);
        key.Encrypt(nonce, inner, into.Slice(HeaderSize, inner.Length), into.Slice(HeaderSize + inner.Length, TagSize), into[..HeaderSize]);
        return HeaderSize + inner.Length + TagSize;
    }

    /// <summary>
    /// Opens a bridge packet into <paramref name="hop"/> as a hop packet with an empty tag slot; returns its length, or 0 when the
    /// tag is not <paramref name="key"/>'s.
    /// </summary>
    public static int TryOpen(AesGcm key, ReadOnlySpan<byte> packet, Span<byte> hop)
    {
        var inner = packet.Length - HeaderSize - TagSize;
        Span<byte> nonce = stackalloc byte[12];
        nonce[..4].Clear();
        packet.Slice(13, 8).CopyTo(nonce[4..]);
        try
        {
            key.Decrypt(nonce, packet.Slice(HeaderSize, inner), packet[^TagSize..], hop[..inner], packet[..HeaderSize]);
        }
        catch (AuthenticationTagMismatchException)
        {
            return 0;
        }
        hop.Slice(inner, RoomCallHop.TagSize).Clear();
        return inner + RoomCallHop.TagSize;
    }
}
