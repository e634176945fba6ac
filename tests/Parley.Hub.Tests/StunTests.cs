using System.Net;
using System.Net.Sockets;
using Parley.Core.Traversal;

namespace Parley.Hub.Tests;

/// <summary>The hub's UDP port answers STUN Binding requests with where they came from, and nothing else.</summary>
public sealed class StunTests : HubTestBase
{
    [Fact]
    public async Task BindingRequest_IsAnsweredWithTheSourceAddress_AndOtherDatagramsAreNot()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var mapped = await StunBinding.AskAsync(socket, new IPEndPoint(IPAddress.Loopback, Hub.Port), TimeSpan.FromSeconds(2));
        Assert.Equal(socket.LocalEndPoint, mapped);

        await socket.SendToAsync(new byte[20], new IPEndPoint(IPAddress.Loopback, Hub.Port)); // not STUN
        var buffer = new byte[64];
        using var quiet = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await socket.ReceiveAsync(buffer, SocketFlags.None, quiet.Token));
    }
}
