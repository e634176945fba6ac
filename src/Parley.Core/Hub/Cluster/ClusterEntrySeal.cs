using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Parley.Core.Hub.Cluster;

/// <summary>
/// Proves that a value a hub reads from NATS was written by a hub of its cluster. NATS credentials let their holder
/// write anything; only hubs holding the cluster identity can derive this key. A value that steers another hub (where
/// to send a room call's media, who is in it, whose frame key this is) travels with an HMAC-SHA256 tag over the name it
/// was written under (KV key or subject) and the value, so a tag cannot be moved to another name:
/// <code>
/// sealed value: value | tag (32)
/// tag: HMAC-SHA256(key, name length u16 | name (UTF-8) | value)
/// key: HKDF-SHA256(cluster secret, info "parley-cluster-entries-v1")
/// </code>
/// A KV delete carries no value and so no tag: a forged delete is undone by the writer's next refresh.
/// </summary>
public sealed class ClusterEntrySeal
{
    public const int TagSize = 32;
    private const int MaxName = 1024;

    private readonly byte[] _key;

    public ClusterEntrySeal(ReadOnlySpan<byte> clusterSecret)
    {
        _key = new byte[32];
        HKDF.DeriveKey(HashAlgorithmName.SHA256, clusterSecret, _key, [], "parley-cluster-entries-v1"u8);
    }

    /// <summary>The value with its tag after it, to be written under <paramref name="name"/>.</summary>
    public byte[] Seal(string name, ReadOnlySpan<byte> value)
    {
        var sealedValue = new byte[value.Length + TagSize];
        value.CopyTo(sealedValue);
        Tag(name, value, sealedValue.AsSpan(value.Length));
        return sealedValue;
    }

    /// <summary>The value read under <paramref name="name"/> without its tag, when the tag is a cluster hub's; never throws.</summary>
    public bool TryOpen(string name, ReadOnlySpan<byte> sealedValue, out byte[] value)
    {
        value = [];
        if (sealedValue.Length < TagSize || Encoding.UTF8.GetByteCount(name) > MaxName)
        {
            return false;
        }
        var body = sealedValue[..^TagSize];
        Span<byte> expected = stackalloc byte[TagSize];
        Tag(name, body, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, sealedValue[^TagSize..]))
        {
            return false;
        }
        value = body.ToArray();
        return true;
    }

    private void Tag(string name, ReadOnlySpan<byte> value, Span<byte> tag)
    {
        var nameBytes = Encoding.UTF8.GetBytes(name);
        if (nameBytes.Length > MaxName)
        {
            throw new ArgumentException($"a name of at most {MaxName} bytes", nameof(name));
        }
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(length, (ushort)nameBytes.Length);
        hmac.AppendData(length);
        hmac.AppendData(nameBytes);
        hmac.AppendData(value);
        hmac.GetHashAndReset(tag);
    }
}
