using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Parley.Core.Traversal;

/// <summary>
/// A TURN server to relay media through, with its long-term credentials: the URI form of RFC 7065,
/// <c>turn:host[:port][?transport=udp]</c>. Only TURN over UDP is spoken today; <c>turns:</c> (TLS) and
/// <c>transport=tcp</c> are refused with a message that says so, rather than half-working.
/// </summary>
public sealed record TurnServer(string Host, int Port, string Username, string Password)
{
    public const int DefaultPort = 3478;

    /// <summary>The longest user name, realm or password sent (RFC 8489 §14.3: under 513 bytes; realms under 128 characters).</summary>
    public const int MaxCredentialBytes = 508;

    /// <summary>The URI, without the credentials (safe to print).</summary>
    public string Uri => $"turn:{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{Port}?transport=udp";

    public override string ToString() => Uri;

    public static bool TryParse(string uri, string? username, string? password, [NotNullWhen(true)] out TurnServer? server, out string error)
    {
        server = null;
        if (uri.StartsWith("turns:", StringComparison.OrdinalIgnoreCase))
        {
            error = "turns: (TURN over TLS) is not supported yet; use turn:host:port?transport=udp";
            return false;
        }
        if (!uri.StartsWith("turn:", StringComparison.OrdinalIgnoreCase))
        {
            error = $"'{uri}' is not a TURN URI; expected turn:host:port?transport=udp";
            return false;
        }
        var rest = uri["turn:".Length..];
        var query = rest.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0)
        {
            var parameter = rest[(query + 1)..];
            rest = rest[..query];
            if (parameter.Equals("transport=tcp", StringComparison.OrdinalIgnoreCase))
            {
                error = "transport=tcp (TURN over TCP) is not supported yet; use transport=udp";
                return false;
            }
            if (!parameter.Equals("transport=udp", StringComparison.OrdinalIgnoreCase))
            {
                error = $"unknown TURN URI parameter '{parameter}'; only transport=udp is supported";
                return false;
            }
        }
        if (!TrySplitHostPort(rest, out var host, out var port))
        {
            error = $"'{uri}' has no valid host[:port]; expected turn:host:port?transport=udp";
            return false;
        }
        if (string.IsNullOrEmpty(username) || string.IsNullOrEmpty(password))
        {
            error = "a TURN server needs a user name and a password (--turn-user, --turn-password)";
            return false;
        }
        if (System.Text.Encoding.UTF8.GetByteCount(username) > MaxCredentialBytes || System.Text.Encoding.UTF8.GetByteCount(password) > MaxCredentialBytes)
        {
            error = $"TURN user name and password take at most {MaxCredentialBytes} bytes each";
            return false;
        }
        server = new TurnServer(host, port, username, password);
        error = "";
        return true;
    }

    private static bool TrySplitHostPort(string text, out string host, out int port)
    {
        host = text;
        port = DefaultPort;
        string? portText = null;
        if (text.StartsWith('['))
        {
            var close = text.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                return false;
            }
            host = text[1..close];
            if (close + 1 < text.Length)
            {
                if (text[close + 1] != ':')
                {
                    return false;
                }
                portText = text[(close + 2)..];
            }
        }
        else if (text.LastIndexOf(':') is var colon and >= 0)
        {
            host = text[..colon];
            portText = text[(colon + 1)..];
        }
        if (portText is not null && !(int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and <= 65535))
        {
            return false;
        }
        return host.Length is > 0 and <= 253 && !host.Contains('/', StringComparison.Ordinal) && !host.Contains('@', StringComparison.Ordinal)
            && !(host.Contains(':', StringComparison.Ordinal) && !text.StartsWith('['));
    }
}
