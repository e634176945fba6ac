using System.Net;
using System.Web;

namespace Parley.Core.Identity;

/// <summary>
/// A one-line token that tells another node who we are and where to find us:
/// <c>parley://DEVICEID?name=alice&amp;addr=192.168.1.5:47800&amp;addr=10.0.0.2:47800</c>.
/// The addresses are hints only; the device ID is proven by the TLS handshake.
/// </summary>
public sealed record Invite(DeviceId DeviceId, string? Name, IReadOnlyList<IPEndPoint> Addresses)
{
    public const string Scheme = "parley";
    private const int MaxLength = 2048;
    public const int MaxAddresses = 16;

    public override string ToString()
    {
        var query = new List<string>();
        if (!string.IsNullOrEmpty(Name))
        {
            query.Add("name=" + Uri.EscapeDataString(Name));
        }
        // IPv4 "a.b.c.d:port" needs no escaping in a query; IPv6 brackets do.
        query.AddRange(Addresses.Select(a => "addr=" + (a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? a.ToString() : Uri.EscapeDataString(a.ToString()))));
        return $"{Scheme}://{DeviceId.Compact}" + (query.Count > 0 ? "?" + string.Join('&', query) : "");
    }

    public static bool TryParse(string text, out Invite? invite, out string error)
    {
        invite = null;
        error = "";
        if (text.Length > MaxLength)
        {
            error = $"the invite is longer than {MaxLength} characters";
            return false;
        }
        if (!text.StartsWith(Scheme + "://", StringComparison.OrdinalIgnoreCase) || !Uri.TryCreate(text, UriKind.Absolute, out var uri))
        {
            error = $"an invite starts with {Scheme}://";
            return false;
        }
        if (!DeviceId.TryParse(uri.Host, out var id))
        {
            error = "the invite does not hold a valid device ID";
            return false;
        }
        var query = HttpUtility.ParseQueryString(uri.Query);
        var addresses = new List<IPEndPoint>();
        foreach (var value in query.GetValues("addr") ?? [])
        {
            if (!IPEndPoint.TryParse(value, out var endpoint) || endpoint.Port == 0)
            {
                error = $"'{value}' in the invite is not an address with a port";
                return false;
            }
            if (addresses.Count < MaxAddresses)
            {
                addresses.Add(endpoint);
            }
        }
        invite = new Invite(id, query["name"], addresses);
        return true;
    }
}
