using System.Buffers.Binary;
using System.Globalization;
using System.Net;

namespace Parley.Core.Traversal.PortMapping;

/// <summary>
/// The IPv4 default route's gateway, where NAT-PMP and PCP servers listen (RFC 6886 §3.1: the client
/// sends to its default gateway). Read from Linux's /proc/net/route; elsewhere there is none.
/// </summary>
public static class DefaultGateway
{
    private const int MaxRouteTableChars = 64 * 1024;

    public static IPAddress? Find()
    {
        try
        {
            using var reader = new StreamReader("/proc/net/route");
            var buffer = new char[MaxRouteTableChars];
            var read = reader.ReadBlock(buffer, 0, buffer.Length);
            return Parse(new string(buffer, 0, read));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// The gateway of the first up route to 0.0.0.0/0 with the gateway flag. Columns are tab-separated:
    /// Iface Destination Gateway Flags ..., addresses in hex in host (little-endian) byte order.
    /// </summary>
    public static IPAddress? Parse(string table)
    {
        const int up = 0x1, gatewayFlag = 0x2;
        foreach (var line in table.Split('\n').Skip(1))
        {
            var columns = line.Split('\t', StringSplitOptions.TrimEntries);
            if (columns.Length >= 8
                && uint.TryParse(columns[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var destination) && destination == 0
                && uint.TryParse(columns[2], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var gateway) && gateway != 0
                && int.TryParse(columns[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var flags) && (flags & (up | gatewayFlag)) == (up | gatewayFlag)
                && uint.TryParse(columns[7], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var mask) && mask == 0)
            {
                var bytes = new byte[4];
                BinaryPrimitives.WriteUInt32LittleEndian(bytes, gateway);
                return new IPAddress(bytes);
            }
        }
        return null;
    }
}
