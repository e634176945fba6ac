using System.Buffers.Binary;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Node.Discovery;

/// <summary>
/// A LAN discovery datagram: "this device is here, on this TCP port".
/// <code>
/// magic "PRLD" (4) | version u8 | device ID (32) | peer port u16 | name length u8 | name (UTF-8, at most 64 bytes)
/// </code>
/// Untrusted: it only gives a hint where to dial; identity is proven by TLS when we do.
/// </summary>
public sealed record Announcement(DeviceId DeviceId, ushort PeerPort, string Name)
{
    public const byte Version = 1;
    public const int FixedSize = 4 + 1 + DeviceId.Size + 2 + 1;
    public const int MaxSize = FixedSize + ProtocolLimits.MaxNameBytes;
    private static ReadOnlySpan<byte> Magic => "PRLD"u8;

    public byte[] Encode()
    {
        var name = PayloadText.Truncate(Name, ProtocolLimits.MaxNameBytes);
        var buffer = new byte[FixedSize + name.Length];
        Magic.CopyTo(buffer);
        buffer[4] = Version;
        DeviceId.Bytes.CopyTo(buffer.AsSpan(5));
        BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(37), PeerPort);
        buffer[39] = (byte)name.Length;
        name.CopyTo(buffer, FixedSize);
        return buffer;
    }

    public static bool TryDecode(ReadOnlySpan<byte> data, out Announcement? announcement)
    {
        announcement = null;
        if (data.Length < FixedSize || data.Length > MaxSize || !data[..4].SequenceEqual(Magic) || data[4] != Version)
        {
            return false;
        }
        var nameLength = data[39];
        var port = BinaryPrimitives.ReadUInt16BigEndian(data[37..]);
        if (FixedSize + nameLength != data.Length || port == 0 || !PayloadText.TryDecode(data[FixedSize..], out var name))
        {
            return false;
        }
        announcement = new Announcement(new DeviceId(data.Slice(5, DeviceId.Size)), port, name);
        return true;
    }
}
