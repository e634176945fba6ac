using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Discovery;

/// <summary>
/// A LAN discovery datagram: "this device is here, on this TCP port".
/// <code>
/// magic "PRLD" (4) | version u8 | device ID (32) | peer port u16 | name length u8 | name (UTF-8, at most 64 bytes)
/// </code>
/// Untrusted: it only gives a hint where to dial; identity is proven by TLS when we do.
/// </summary>
public sealed record Announcement(DeviceId DeviceId, ushort PeerPort, string Name) : IWireMessage<Announcement>
{
    public const byte Version = 1;
    public const int FixedSize = 4 + 1 + DeviceId.Size + 2 + 1;
    public static int MaxSize => FixedSize + ProtocolLimits.MaxNameBytes;
    private static ReadOnlySpan<byte> Magic => "PRLD"u8;

    public void Write(IBufferWriter<byte> output)
    {
        var name = PayloadText.Truncate(Name, ProtocolLimits.MaxNameBytes);
        var span = output.GetSpan(FixedSize + name.Length);
        Magic.CopyTo(span);
        span[4] = Version;
        DeviceId.Bytes.CopyTo(span[5..]);
        BinaryPrimitives.WriteUInt16BigEndian(span[37..], PeerPort);
        span[39] = (byte)name.Length;
        name.CopyTo(span[FixedSize..]);
        output.Advance(FixedSize + name.Length);
    }

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out Announcement announcement, out string error)
    {
        announcement = null;
        if (payload.Length < FixedSize || payload.Length > MaxSize)
        {
            error = $"announcement of {payload.Length} bytes";
            return false;
        }
        Span<byte> data = stackalloc byte[(int)payload.Length];
        payload.CopyTo(data);
        if (!data[..4].SequenceEqual(Magic) || data[4] != Version)
        {
            error = "not a Parley announcement of this version";
            return false;
        }
        var nameLength = data[39];
        var port = BinaryPrimitives.ReadUInt16BigEndian(data[37..]);
        if (FixedSize + nameLength != data.Length || port == 0 || !PayloadText.TryDecode(data[FixedSize..], out var name))
        {
            error = "announcement name or port is malformed";
            return false;
        }
        announcement = new Announcement(new DeviceId(data.Slice(5, DeviceId.Size)), port, name);
        error = "";
        return true;
    }
}
