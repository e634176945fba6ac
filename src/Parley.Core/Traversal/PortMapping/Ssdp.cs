using System.Text;

namespace Parley.Core.Traversal.PortMapping;

/// <summary>
/// SSDP discovery (UPnP Device Architecture §1.3): an M-SEARCH datagram multicast to
/// 239.255.255.250:1900, answered by unicast HTTP-over-UDP replies whose LOCATION header names the
/// device description. Only the status line, ST and LOCATION are read; a LOCATION that is not a plain
/// http URL is ignored.
/// </summary>
public static class Ssdp
{
    public const string MulticastAddress = "239.255.255.250";
    public const int Port = 1900;

    /// <summary>Replies longer than this are not SSDP answers worth reading.</summary>
    public const int MaxReplyBytes = 2048;

    /// <summary>The service types an Internet gateway offers port mapping under, most capable first.</summary>
    public static IReadOnlyList<string> WanServiceTypes { get; } =
    [
        "urn:schemas-upnp-org:service:WANIPConnection:2",
        "urn:schemas-upnp-org:service:WANIPConnection:1",
        "urn:schemas-upnp-org:service:WANPPPConnection:1",
    ];

    public static byte[] SearchRequest(string searchTarget) => Encoding.ASCII.GetBytes(
        "M-SEARCH * HTTP/1.1\r\n" +
        $"HOST: {MulticastAddress}:{Port}\r\n" +
        "MAN: \"ssdp:discover\"\r\n" +
        "MX: 1\r\n" +
        $"ST: {searchTarget}\r\n\r\n");

    /// <summary>The description URL from a 200 OK reply; false for anything else.</summary>
    public static bool TryReadLocation(ReadOnlySpan<byte> reply, out Uri? location)
    {
        location = null;
        if (reply.Length == 0 || reply.Length > MaxReplyBytes)
        {
            return false;
        }
        var lines = Encoding.ASCII.GetString(reply).Split("\r\n");
        var status = lines[0].Split(' ', 3, StringSplitOptions.RemoveEmptyEntries);
        if (status.Length < 2 || !status[0].StartsWith("HTTP/1.", StringComparison.Ordinal) || status[1] != "200")
        {
            return false;
        }
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Trim().Equals("LOCATION", StringComparison.OrdinalIgnoreCase)
                && Uri.TryCreate(line[(colon + 1)..].Trim(), UriKind.Absolute, out var url) && url.Scheme == Uri.UriSchemeHttp && url.Host.Length > 0)
            {
                location = url;
                return true;
            }
        }
        return false;
    }
}
