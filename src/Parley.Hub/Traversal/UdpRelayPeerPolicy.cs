using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Parley.Hub;

/// <summary>
/// Which peer addresses the UDP relay refuses to carry datagrams to or from, so that a member (any
/// device may join a hub) cannot use it to reach what sits behind the hub: loopback, "this network",
/// broadcast, multicast, link-local, reserved, the hub's own addresses, and — unless the operator
/// opted in with <see cref="HubOptions.UdpRelayPrivate"/> — private networks.
/// </summary>
internal sealed class UdpRelayPeerPolicy(HubOptions options, IReadOnlyCollection<IPAddress> own)
{
    /// <summary>The policy for a hub with <paramref name="options"/>, its own addresses read from its interfaces now.</summary>
    public static UdpRelayPeerPolicy ForThisHost(HubOptions options) => new(options, OwnAddresses(options));

    /// <summary>Why <paramref name="peer"/> may not be permitted, or null if it may.</summary>
    public string? Refusal(IPAddress peer)
    {
        if (peer.IsIPv4MappedToIPv6)
        {
            peer = peer.MapToIPv4();
        }
        if (IPAddress.IsLoopback(peer))
        {
            return options.UdpRelayAllowsLoopback ? null : $"{peer} is a loopback address";
        }
        if (own.Contains(peer))
        {
            return $"{peer} is the hub's own address";
        }
        if (peer.AddressFamily == AddressFamily.InterNetworkV6)
        {
            return V6Refusal(peer);
        }
        var b = peer.GetAddressBytes();
        return b switch
        {
            [0, ..] => $"{peer} is in 0.0.0.0/8 (this network)",
            [255, 255, 255, 255] => $"{peer} is the broadcast address",
            [>= 224 and < 240, ..] => $"{peer} is a multicast address",
            [>= 240, ..] => $"{peer} is in 240.0.0.0/4 (reserved)",
            [169, 254, ..] => $"{peer} is a link-local address",
            _ when IsPrivate(b) && !options.UdpRelayPrivate => $"{peer} is on a private network this hub does not relay to (its operator can allow it with --relay-private)",
            _ => null,
        };
    }

    private static bool IsPrivate(byte[] b) => b switch
    {
        [10, ..] => true,
        [172, >= 16 and < 32, ..] => true,
        [192, 168, ..] => true,
        [100, >= 64 and < 128, ..] => true, // carrier-grade NAT, RFC 6598
        _ => false,
    };

    private string? V6Refusal(IPAddress peer)
    {
        if (peer.Equals(IPAddress.IPv6Any) || peer.IsIPv6Multicast || peer.IsIPv6LinkLocal || peer.IsIPv6SiteLocal)
        {
            return $"{peer} is not a unicast internet address";
        }
        return (peer.GetAddressBytes()[0] & 0xFE) == 0xFC && !options.UdpRelayPrivate
            ? $"{peer} is on a private network (fc00::/7) this hub does not relay to (its operator can allow it with --relay-private)"
            : null;
    }

    private static HashSet<IPAddress> OwnAddresses(HubOptions options)
    {
        var own = new HashSet<IPAddress>();
        try
        {
            foreach (var address in NetworkInterface.GetAllNetworkInterfaces().SelectMany(n => n.GetIPProperties().UnicastAddresses).Select(u => u.Address))
            {
                own.Add(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);
            }
        }
        catch (NetworkInformationException)
        {
            // without the interface list, the bind and public addresses below still count
        }
        own.Add(options.BindAddress);
        if (options.PublicAddress is { } published)
        {
            own.Add(published);
        }
        own.RemoveWhere(IPAddress.IsLoopback); // loopback has its own rule
        return own;
    }
}
