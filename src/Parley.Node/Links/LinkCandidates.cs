using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Parley.Core.Links;

namespace Parley.Node.Links;

/// <summary>
/// Where a contact may be dialed directly, best first: addresses on one of our own networks (heard
/// on the LAN, or given), then the others we know (the newest working first), then the address the
/// hub observed. A direct link whose far end is on one of our networks (or this machine) is a LAN link.
/// </summary>
internal static class LinkCandidates
{
    /// <summary>The most direct addresses raced in one dial round (the contact's list holds at most 4, plus the hub's).</summary>
    public const int MaxDirect = 5;

    private static readonly TimeSpan NetworksFresh = TimeSpan.FromSeconds(10);
    // Null until first read. (A start time of long.MinValue made "now - then" overflow negative, so the empty
    // list counted as fresh forever and no LAN address was ever seen as one.)
    private static (long At, IReadOnlyList<(IPAddress Address, IPAddress Mask)>? Networks) s_networks;

    public static IReadOnlyList<string> Order(string? known, IPEndPoint? observedByHub)
    {
        var all = (known ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        if (observedByHub is not null)
        {
            all.Add(observedByHub.ToString());
        }
        // A stable sort: LAN addresses first, the rest in the order they were learned.
        return [.. all.Distinct().OrderBy(a => IPEndPoint.TryParse(a, out var e) && IsOnOurNetworks(e.Address) ? 0 : 1).Take(MaxDirect)];
    }

    /// <summary>True for loopback and for any address inside the subnet of one of this machine's IPv4 interfaces.</summary>
    public static bool IsOnOurNetworks(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (IPAddress.IsLoopback(address))
        {
            return true;
        }
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            return false;
        }
        var bytes = address.GetAddressBytes();
        foreach (var (network, mask) in Networks())
        {
            var n = network.GetAddressBytes();
            var m = mask.GetAddressBytes();
            if (Enumerable.Range(0, 4).All(i => (bytes[i] & m[i]) == (n[i] & m[i])))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The interfaces' IPv4 networks, read again at most every 10 s (a laptop changes networks).</summary>
    private static IReadOnlyList<(IPAddress, IPAddress)> Networks()
    {
        var cached = s_networks;
        if (cached.Networks is { } known && Environment.TickCount64 - cached.At < NetworksFresh.TotalMilliseconds)
        {
            return known;
        }
        var networks = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus is OperationalStatus.Up or OperationalStatus.Unknown)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Where(u => u.Address.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(u.Address))
            .Select(u => (u.Address, u.IPv4Mask))
            .ToList();
        s_networks = (Environment.TickCount64, networks);
        return networks;
    }
}
