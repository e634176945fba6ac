using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Parley.Node.Links;

namespace Parley.Node.Tests.Links;

/// <summary>Which addresses count as on our own networks (a link to one is shown as "lan").</summary>
public sealed class LinkCandidatesTests
{
    [Fact]
    public void AnAddressOnOneOfThisMachinesNetworks_IsOnOurNetworks_AndADocumentationAddressIsNot()
    {
        var ours = NetworkInterface.GetAllNetworkInterfaces().SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Where(u => u.Address.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(u.Address) && u.PrefixLength < 31).ToList();
        foreach (var unicast in ours)
        {
            // Its neighbour in the same subnet: the node's own address would pass any check that compares with itself.
            var bytes = unicast.Address.GetAddressBytes();
            bytes[3] = (byte)(bytes[3] ^ 1);
            Assert.True(LinkCandidates.IsOnOurNetworks(new IPAddress(bytes)), $"{new IPAddress(bytes)} is on {unicast.Address}/{unicast.PrefixLength}");
        }
        Assert.True(LinkCandidates.IsOnOurNetworks(IPAddress.Loopback));
        Assert.False(LinkCandidates.IsOnOurNetworks(IPAddress.Parse("203.0.113.7")));
    }
}
