using System.Net;
using System.Net.Sockets;

namespace Parley.Hub.Tests;

/// <summary>The hub's UDP port (STUN and every room call packet) holds a stall of its receive loop: a 1 MiB buffer, where the kernel allows it.</summary>
public sealed class StunBufferTests
{
    [Fact]
    public async Task TheHubsUdpPort_AsksForA1MiBReceiveBuffer()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        await using var responder = StunResponder.TryStart(IPAddress.Loopback, port);
        Assert.NotNull(responder);
        var allowed = long.Parse(await File.ReadAllTextAsync("/proc/sys/net/core/rmem_max"), System.Globalization.CultureInfo.InvariantCulture);
        // Linux reports twice what was granted (its bookkeeping); the grant is the ask, capped at rmem_max.
        Assert.Equal(2 * Math.Min(StunResponder.ReceiveBuffer, allowed), responder.ReceiveBufferBytes);
    }
}
