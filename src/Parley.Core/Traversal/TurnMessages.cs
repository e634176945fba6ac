using System.Buffers.Binary;

namespace Parley.Core.Traversal;

/// <summary>
/// TURN's methods (RFC 8656 §17) and its ChannelData message (§12.4), which carries a bound peer's
/// datagrams with a 4-byte header instead of a 36-byte Send or Data indication. The top two bits tell
/// them apart: 00 is STUN, 01 is ChannelData.
/// <code>
/// ChannelData: channel number u16 (0x4000–0x4FFF) | length u16 | data (over UDP no padding is needed)
/// </code>
/// </summary>
internal static class TurnMessages
{
    public const ushort Allocate = 0x0003;
    public const ushort Refresh = 0x0004;
    public const ushort SendIndication = 0x0016;
    public const ushort DataIndication = 0x0017;
    public const ushort CreatePermission = 0x0008;
    public const ushort ChannelBind = 0x0009;
    public const ushort FirstChannel = 0x4000;
    public const ushort LastChannel = 0x4FFF;
    public const int ChannelHeaderSize = 4;

    /// <summary>The largest datagram relayed: what a 16-bit length leaves after the Send indication's own attributes.</summary>
    public const int MaxDatagram = 65_000;

    /// <summary>REQUESTED-TRANSPORT's value for UDP: protocol 17, then three reserved bytes (§18.7).</summary>
    public const uint UdpTransport = 17u << 24;

    public static string Name(ushort method) => method switch
    {
        Allocate => "Allocate",
        Refresh => "Refresh",
        CreatePermission => "CreatePermission",
        ChannelBind => "ChannelBind",
        _ => $"method 0x{method:X3}",
    };

    public static bool IsChannelData(ReadOnlySpan<byte> datagram) => datagram.Length >= ChannelHeaderSize && (datagram[0] & 0xC0) == 0x40;

    /// <summary>The channel and data of a ChannelData message; false when its length says more than arrived.</summary>
    public static bool TryReadChannelData(ReadOnlySpan<byte> datagram, out ushort channel, out ReadOnlySpan<byte> data)
    {
        channel = 0;
        data = default;
        if (!IsChannelData(datagram))
        {
            return false;
        }
        channel = BinaryPrimitives.ReadUInt16BigEndian(datagram);
        var length = BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
        if (length > datagram.Length - ChannelHeaderSize)
        {
            return false;
        }
        data = datagram.Slice(ChannelHeaderSize, length);
        return true;
    }

    /// <summary>Writes a ChannelData message into <paramref name="output"/>; its length.</summary>
    public static int WriteChannelData(Span<byte> output, ushort channel, ReadOnlySpan<byte> data)
    {
        BinaryPrimitives.WriteUInt16BigEndian(output, channel);
        BinaryPrimitives.WriteUInt16BigEndian(output[2..], (ushort)data.Length);
        data.CopyTo(output[ChannelHeaderSize..]);
        return ChannelHeaderSize + data.Length;
    }

    /// <summary>The CHANNEL-NUMBER value: the number, then two reserved bytes (§18.1).</summary>
    public static uint ChannelNumberValue(ushort channel) => (uint)channel << 16;
}
