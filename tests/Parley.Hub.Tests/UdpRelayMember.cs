using System.Net;
using System.Net.Sockets;
using Parley.Core.Hub.Relay;
using Parley.Core.Hub.UdpRelay;
using Parley.Core.Protocol;
using Parley.Testing;

namespace Parley.Hub.Tests;

/// <summary>
/// A member of the hub that speaks the UDP relay by hand: a real TLS link (asks for allocations and
/// permits peers) and a UDP socket on its own loopback address, so each party in a test has an IP of
/// its own (127.0.0.x) and permissions, which are by address, tell them apart.
/// </summary>
internal sealed class UdpRelayMember : IAsyncDisposable
{
    private uint _requests;

    private UdpRelayMember(AttackerLink link, Socket udp)
    {
        Link = link;
        Udp = udp;
    }

    public AttackerLink Link { get; }

    public Socket Udp { get; }

    public IPEndPoint Address => (IPEndPoint)Udp.LocalEndPoint!;

    public string LastRefusal { get; private set; } = "";

    public static async Task<UdpRelayMember> ConnectAsync(int hubPort, string name, IPAddress udpAddress) =>
        new(await AttackerLink.ConnectAsync(new IPEndPoint(IPAddress.Loopback, hubPort), name), Bound(udpAddress));

    /// <summary>A plain UDP socket on <paramref name="address"/> (a peer, a stranger, a victim).</summary>
    public static Socket Bound(IPAddress address)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(address, 0));
        return socket;
    }

    /// <summary>Asks for an allocation: the grant, or null (with <see cref="LastRefusal"/>) if refused.</summary>
    public async Task<UdpRelayAllocated?> AllocateAsync()
    {
        var id = ++_requests;
        await Link.SendAsync(FrameType.UdpRelayAllocate, new UdpRelayAllocate(id, IPAddress.Loopback));
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (DateTime.UtcNow < deadline && await Link.ReadFrameAsync(deadline - DateTime.UtcNow) is { } frame)
        {
            if (frame.Type == FrameType.UdpRelayAllocated && WireMessage.Read<UdpRelayAllocated>(frame.Payload) is { } granted && granted.RequestId == id)
            {
                return granted;
            }
            if (frame.Type == FrameType.UdpRelayRefused && WireMessage.Read<RelayRefused>(frame.Payload) is { } refused && refused.RequestId == id)
            {
                LastRefusal = refused.Reason;
                return null;
            }
        }
        throw new TimeoutException("the hub did not answer the allocation request");
    }

    public Task PermitAsync(UdpRelayAllocated allocation, params IPAddress[] peers) =>
        Link.SendAsync(FrameType.UdpRelayPermit, new UdpRelayPermit(allocation.AllocationId, peers));

    /// <summary>One datagram through the relay to <paramref name="peer"/> (or a refresh, with no peer), starting with <paramref name="token"/>.</summary>
    public void Send(UdpRelayAllocated allocation, IPEndPoint? peer, byte[] payload, byte[]? token = null)
    {
        var buffer = new byte[RelayDatagram.FromMemberHeader + payload.Length];
        RelayDatagram.WriteFromMember(buffer, token ?? allocation.Token, peer ?? new IPEndPoint(IPAddress.Any, 0), payload);
        Udp.SendTo(buffer, allocation.Relayed);
    }

    /// <summary>The next datagram on <paramref name="socket"/>, or null within <paramref name="timeout"/>.</summary>
    public static async Task<(IPEndPoint From, byte[] Data)?> ReceiveAsync(Socket socket, TimeSpan timeout)
    {
        var buffer = new byte[2048];
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            var received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cancel.Token);
            return ((IPEndPoint)received.RemoteEndPoint, buffer[..received.ReceivedBytes]);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>Counts datagrams arriving on <paramref name="socket"/> until none has come for <paramref name="quiet"/>.</summary>
    public static async Task<int> CountUntilQuietAsync(Socket socket, TimeSpan quiet)
    {
        var count = 0;
        for (var i = 0; i < 1_000_000 && await ReceiveAsync(socket, quiet) is not null; i++)
        {
            count++;
        }
        return count;
    }

    public async ValueTask DisposeAsync()
    {
        await Link.DisposeAsync();
        Udp.Dispose();
    }
}
