using System.Net;

namespace Parley.Core.Traversal.PortMapping;

/// <summary>Which ways of asking the router may be tried.</summary>
[Flags]
public enum MappingMethods
{
    None = 0,
    Pcp = 1,
    NatPmp = 2,
    Upnp = 4,
    All = Pcp | NatPmp | Upnp,
}

/// <summary>
/// Finds which way the local router forwards ports, by asking for the first mapping: PCP at the default
/// gateway, NAT-PMP when the gateway answers that it speaks only that (RFC 6887 §9), and UPnP-IGD when
/// the gateway says nothing on port 5351 (or refuses).
/// </summary>
public static class RouterMapping
{
    /// <summary>How long SSDP answers are awaited. Gateways answer at once; MX is 1 s.</summary>
    public static readonly TimeSpan UpnpWait = TimeSpan.FromSeconds(2);

    /// <summary>The mapper that granted the first mapping and the mapping, or null when no router would.</summary>
    public static async Task<(IPortMapper Mapper, ForwardedPort Port)?> FirstAsync(IPAddress? gateway, MappedProtocol protocol, int internalPort,
        TimeSpan lifetime, MappingMethods methods, CancellationToken cancellationToken)
    {
        if (gateway is not null)
        {
            var pcp = new PcpClient(gateway);
            if (methods.HasFlag(MappingMethods.Pcp) && await pcp.MapAsync(protocol, internalPort, lifetime, cancellationToken).ConfigureAwait(false) is { } mapped)
            {
                return (pcp, mapped);
            }
            if (methods.HasFlag(MappingMethods.NatPmp) && (pcp.VersionUnsupported || !methods.HasFlag(MappingMethods.Pcp)))
            {
                var natPmp = new NatPmpClient(gateway);
                if (await natPmp.MapAsync(protocol, internalPort, lifetime, cancellationToken).ConfigureAwait(false) is { } pmpMapped)
                {
                    return (natPmp, pmpMapped);
                }
            }
        }
        var upnp = methods.HasFlag(MappingMethods.Upnp) ? await UpnpClient.DiscoverAsync(UpnpWait, cancellationToken).ConfigureAwait(false) : null;
        if (upnp is not null && await upnp.MapAsync(protocol, internalPort, lifetime, cancellationToken).ConfigureAwait(false) is { } upnpMapped)
        {
            return (upnp, upnpMapped);
        }
        upnp?.Dispose();
        return null;
    }
}
