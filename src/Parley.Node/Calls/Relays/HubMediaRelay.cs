using System.Net;
using System.Net.Sockets;
using Parley.Core.Hub.UdpRelay;
using Parley.Core.Protocol;
using Parley.Core.Traversal;
using Parley.Node.Hub;

namespace Parley.Node.Calls;

/// <summary>
/// One allocation on the hub's UDP relay, over a UDP socket of its own (so what the relay sends us
/// never mixes with direct media). Our datagrams to the relay start with the allocation's token; a
/// refresh (token, no peer) goes out at once and every third of the allocation's lifetime, which also
/// keeps our NAT's mapping towards the relay open. Permissions go over the hub link.
/// </summary>
internal sealed class HubMediaRelay : IMediaRelay
{
    private readonly Socket _socket;
    private readonly UdpRelayAllocated _allocation;
    private readonly IHubChannel _hub;
    private readonly HashSet<IPAddress> _permitted = [];
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _refreshing;
    private readonly byte[] _sendBuffer = new byte[RelayDatagram.FromMemberHeader + RelayDatagram.MaxPayload];
    private readonly byte[] _receiveBuffer = new byte[2048];

    public HubMediaRelay(Socket socket, UdpRelayAllocated allocation, IHubChannel hub, TimeProvider time)
    {
        _socket = socket;
        _allocation = allocation;
        _hub = hub;
        _refreshing = Task.Run(() => RefreshAsync(time));
    }

    public string Kind => CallPaths.HubUdp;

    /// <summary>The allocation's port is both where peers send and where we send our own datagrams.</summary>
    public IPEndPoint RelayedAddress => _allocation.Relayed;

    public Task PermitAsync(IPEndPoint peer, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (!_permitted.Add(peer.Address))
            {
                return Task.CompletedTask;
            }
        }
        _hub.TrySend(FrameType.UdpRelayPermit, new UdpRelayPermit(_allocation.AllocationId, [peer.Address]));
        return Task.CompletedTask;
    }

    public ValueTask SendAsync(IPEndPoint peer, ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken)
    {
        if (datagram.Length <= RelayDatagram.MaxPayload)
        {
            lock (_sendBuffer)
            {
                Send(_sendBuffer.AsSpan(0, RelayDatagram.WriteFromMember(_sendBuffer, _allocation.Token, peer, datagram.Span)));
            }
        }
        return ValueTask.CompletedTask;
    }

    private void Send(ReadOnlySpan<byte> datagram)
    {
        try
        {
            _socket.SendTo(datagram, SocketFlags.None, _allocation.Relayed);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // media is loss-tolerant; a dead relay shows as silence and the call moves on
        }
    }

    /// <summary>Datagrams from anywhere but the relay, or malformed, are skipped; ends with <see cref="OperationCanceledException"/> once disposed.</summary>
    public async ValueTask<(IPEndPoint From, int Length)> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        using var both = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stop.Token);
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (true)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(_receiveBuffer, SocketFlags.None, any, both.Token).ConfigureAwait(false);
            }
            catch (SocketException)
            {
                continue; // an ICMP error for an earlier send
            }
            catch (ObjectDisposedException)
            {
                throw new OperationCanceledException("the relay was closed");
            }
            if (received.RemoteEndPoint.Equals(_allocation.Relayed)
                && RelayDatagram.TryReadToMember(_receiveBuffer.AsSpan(0, received.ReceivedBytes), out var peer, out var payload) && payload.Length <= buffer.Length)
            {
                payload.CopyTo(buffer.Span);
                return (peer, payload.Length);
            }
        }
    }

    private async Task RefreshAsync(TimeProvider time)
    {
        var every = _allocation.Lifetime / 3;
        var refresh = new byte[RelayDatagram.FromMemberHeader];
        RelayDatagram.WriteFromMember(refresh, _allocation.Token, new IPEndPoint(IPAddress.Any, 0), []);
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                Send(refresh);
                await Task.Delay(every, time, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        _hub.TrySend(FrameType.UdpRelayRelease, new UdpRelayRelease(_allocation.AllocationId));
        await _stop.CancelAsync().ConfigureAwait(false);
        await _refreshing.ConfigureAwait(false);
        _socket.Dispose();
        _stop.Dispose();
    }
}
