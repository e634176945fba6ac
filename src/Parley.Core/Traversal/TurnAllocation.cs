using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Parley.Core.Traversal;

/// <summary>
/// A relayed address on a TURN server (RFC 8656), held from one UDP socket of our own: allocated with
/// the long-term credentials, refreshed in the background before it expires, deleted (Refresh with
/// lifetime 0) when disposed. Peers are let through with CreatePermission and then bound to a channel,
/// so their datagrams go as ChannelData; until the channel is bound, Send and Data indications carry
/// them. The socket is connected to the server: the kernel drops datagrams from anyone else.
/// Split by concern: requests in <see cref="TurnTransactions"/>, peers in <c>TurnAllocation.Peers.cs</c>,
/// refreshing in <c>TurnAllocation.Refresh.cs</c>.
/// </summary>
public sealed partial class TurnAllocation : IMediaRelay
{
    private readonly Socket _socket;
    private readonly TurnTransactions _requests;
    private readonly TurnOptions _options;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<Received> _received;
    private Task _receiving = Task.CompletedTask;
    private int _disposed;

    private readonly record struct Received(IPEndPoint From, byte[] Rented, int Length);

    private TurnAllocation(TurnServer server, Socket socket, TurnOptions options, ILogger logger)
    {
        Server = server;
        _socket = socket;
        _options = options;
        _logger = logger;
        _requests = new TurnTransactions(server, options, async (bytes, ct) => await socket.SendAsync(bytes, SocketFlags.None, ct).ConfigureAwait(false));
        _received = Channel.CreateBounded<Received>(
            new BoundedChannelOptions(options.ReceiveQueue) { FullMode = BoundedChannelFullMode.DropOldest, SingleWriter = true },
            dropped => ArrayPool<byte>.Shared.Return(dropped.Rented));
    }

    public string Kind => "turn";

    public TurnServer Server { get; }

    public IPEndPoint RelayedAddress { get; private set; } = new(IPAddress.None, 0);

    /// <summary>Our own address as the server saw it (XOR-MAPPED-ADDRESS), when it said.</summary>
    public IPEndPoint? MappedAddress { get; private set; }

    /// <summary>Allocates a relayed UDP address on <paramref name="server"/>; a <see cref="TurnException"/> says why not.</summary>
    public static async Task<TurnAllocation> AllocateAsync(TurnServer server, TurnOptions? options = null, ILogger? logger = null, CancellationToken cancellationToken = default)
    {
        options ??= new TurnOptions();
        var address = await ResolveAsync(server, cancellationToken).ConfigureAwait(false);
        var socket = new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        var allocation = new TurnAllocation(server, socket, options, logger ?? NullLogger.Instance);
        try
        {
            socket.Bind(new IPEndPoint(address.AddressFamily == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0));
            await socket.ConnectAsync(new IPEndPoint(address, server.Port), cancellationToken).ConfigureAwait(false);
            allocation._receiving = Task.Run(allocation.ReceiveLoopAsync, CancellationToken.None);
            await allocation.AllocateAsync(cancellationToken).ConfigureAwait(false);
            allocation.StartRefreshing();
            return allocation;
        }
        catch
        {
            await allocation.CloseAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task AllocateAsync(CancellationToken cancellationToken)
    {
        var response = await _requests.RequestAsync(TurnMessages.Allocate, request => request
            .AddUInt32(StunAttribute.RequestedTransport, TurnMessages.UdpTransport)
            .AddUInt32(StunAttribute.Lifetime, (uint)_options.Lifetime.TotalSeconds), cancellationToken).ConfigureAwait(false);
        if (!TryReadAllocated(response, out var relayed, out var mapped, out var lifetime))
        {
            throw new TurnException($"{Server} allocated without saying the relayed address");
        }
        RelayedAddress = relayed;
        MappedAddress = mapped;
        Extend(lifetime);
        TurnLog.Allocated(_logger, Server.Uri, relayed, lifetime);
    }

    private static bool TryReadAllocated(byte[] response, out IPEndPoint relayed, out IPEndPoint? mapped, out TimeSpan lifetime)
    {
        mapped = null;
        lifetime = TimeSpan.Zero;
        relayed = new IPEndPoint(IPAddress.None, 0);
        if (!StunMessage.TryParse(response, out var message) || !message.TryGet(StunAttribute.XorRelayedAddress, out var value)
            || !StunAddress.TryReadXor(value, message.TransactionId, out relayed))
        {
            return false;
        }
        if (message.TryGet(StunAttribute.XorMappedAddress, out value) && StunAddress.TryReadXor(value, message.TransactionId, out var seen))
        {
            mapped = seen;
        }
        lifetime = ReadLifetime(message);
        return true;
    }

    private static async Task<IPAddress> ResolveAsync(TurnServer server, CancellationToken cancellationToken)
    {
        if (IPAddress.TryParse(server.Host, out var address))
        {
            return address;
        }
        try
        {
            var addresses = await Dns.GetHostAddressesAsync(server.Host, cancellationToken).ConfigureAwait(false);
            return addresses.OrderBy(a => a.AddressFamily == AddressFamily.InterNetwork ? 0 : 1).FirstOrDefault()
                ?? throw new TurnException($"{server}: the name {server.Host} has no address");
        }
        catch (SocketException e)
        {
            throw new TurnException($"{server}: cannot resolve {server.Host} ({e.Message})");
        }
    }

    public async ValueTask<(IPEndPoint From, int Length)> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var received = await _received.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        var length = Math.Min(received.Length, buffer.Length); // a datagram longer than the buffer is cut, as a socket would
        received.Rented.AsSpan(0, length).CopyTo(buffer.Span);
        ArrayPool<byte>.Shared.Return(received.Rented);
        return (received.From, length);
    }

    private async Task ReceiveLoopAsync()
    {
        var buffer = new byte[TurnMessages.MaxDatagram + 256];
        while (!_stop.IsCancellationRequested)
        {
            int length;
            try
            {
                length = await _socket.ReceiveAsync(buffer, SocketFlags.None, _stop.Token).ConfigureAwait(false);
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset or SocketError.HostUnreachable or SocketError.NetworkUnreachable)
            {
                continue; // an ICMP error for something we sent: the requests retry on their own
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                break;
            }
            Handle(buffer.AsSpan(0, length));
        }
        _received.Writer.TryComplete();
    }

    /// <summary>One datagram from the server: relayed data (ChannelData or a Data indication), or a response to one of our requests.</summary>
    private void Handle(ReadOnlySpan<byte> datagram)
    {
        if (TurnMessages.TryReadChannelData(datagram, out var channel, out var data))
        {
            if (PeerOnChannel(channel) is { } peer)
            {
                Deliver(peer, data);
            }
            return;
        }
        if (!StunMessage.TryParse(datagram, out var message))
        {
            return;
        }
        if ((message.Type & 0x0110) is TurnTransactions.SuccessClass or TurnTransactions.ErrorClass)
        {
            _requests.TryComplete(message);
        }
        else if (message.Type == TurnMessages.DataIndication && message.TryGet(StunAttribute.XorPeerAddress, out var value)
            && StunAddress.TryReadXor(value, message.TransactionId, out var from) && message.TryGet(StunAttribute.Data, out data) && IsPermitted(from))
        {
            Deliver(from, data);
        }
    }

    private void Deliver(IPEndPoint from, ReadOnlySpan<byte> data)
    {
        var rented = ArrayPool<byte>.Shared.Rent(Math.Max(1, data.Length));
        data.CopyTo(rented);
        if (!_received.Writer.TryWrite(new Received(from, rented, data.Length)))
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Stops refreshing, deletes the allocation on the server (Refresh with lifetime 0), then closes the socket.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        await StopRefreshingAsync().ConfigureAwait(false);
        using var deadline = new CancellationTokenSource(_options.InitialRto * 4, _options.TimeProvider);
        try
        {
            await _requests.RequestAsync(TurnMessages.Refresh, request => request.AddUInt32(StunAttribute.Lifetime, 0), deadline.Token).ConfigureAwait(false);
            TurnLog.Deleted(_logger, Server.Uri, RelayedAddress);
        }
        catch (Exception e) when (e is TurnException or OperationCanceledException or SocketException)
        {
            TurnLog.DeleteFailed(_logger, Server.Uri, RelayedAddress, e.Message); // it expires on its own
        }
        await CloseAsync().ConfigureAwait(false);
    }

    private async Task CloseAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Dispose();
        await _receiving.ConfigureAwait(false);
        while (_received.Reader.TryRead(out var left))
        {
            ArrayPool<byte>.Shared.Return(left.Rented);
        }
        _stop.Dispose();
    }
}
