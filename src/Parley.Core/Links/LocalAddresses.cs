using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Parley.Core.Links;

/// <summary>This machine's addresses, for invites.</summary>
public static class LocalAddresses
{
    /// <summary>Every IPv4 address of an up interface other than loopback, with <paramref name="port"/>; loopback last (or alone) when asked.</summary>
    public static List<IPEndPoint> IPv4(int port, bool withLoopback)
    {
        var endpoints = NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus is OperationalStatus.Up or OperationalStatus.Unknown)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(u => u.Address)
            .Where(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
            .Select(a => new IPEndPoint(a, port))
            .ToList();
        if (withLoopback || endpoints.Count == 0)
        {
            endpoints.Add(new IPEndPoint(IPAddress.Loopback, port));
        }
        return endpoints;
    }
}
