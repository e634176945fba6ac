using System.Net;
using System.Net.Sockets;

namespace Parley.Node.Links;

/// <summary>
/// TCP simultaneous open (RFC 9293 §3.5): both sides connect() to each other from ports they named
/// beforehand. Each side's SYN opens its own NAT for the other's, so whichever SYN arrives second
/// passes and the connection forms with neither side listening. The port is reserved (bound, with
/// SO_REUSEADDR) before it is announced; where no NAT drops the early SYN, the peer's kernel answers
/// it with a reset, so a refused connect is retried from the same port until the window closes.
/// </summary>
internal sealed class SimultaneousOpen : IDisposable
{
    /// <summary>At most this many connect() calls per attempt (refusals come at once; a dropped SYN is retried by the kernel).</summary>
    private const int MaxConnects = 20;
    private static readonly TimeSpan RefusedPause = TimeSpan.FromMilliseconds(100);
    private readonly IPEndPoint _local;
    private Socket? _socket;

    private SimultaneousOpen(Socket socket)
    {
        _socket = socket;
        _local = (IPEndPoint)socket.LocalEndPoint!;
    }

    /// <summary>The port reserved for the attempt (what the offer or answer names).</summary>
    public int Port => _local.Port;

    /// <summary>Reserves a port on <paramref name="address"/> (the one the node listens on: a node bound to one address uses no other).</summary>
    public static SimultaneousOpen Reserve(IPAddress address)
    {
        return new SimultaneousOpen(NewSocket(new IPEndPoint(address, 0)));
    }

    /// <summary>Connects to <paramref name="peer"/> from the reserved port within <paramref name="window"/>; the socket is the caller's after.</summary>
    public async Task<Socket> ConnectAsync(IPEndPoint peer, TimeSpan window, TimeProvider time, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(window);
        for (var attempt = 1; ; attempt++)
        {
            var socket = _socket ?? NewSocket(_local);
            _socket = null;
            try
            {
                await socket.ConnectAsync(peer, deadline.Token).ConfigureAwait(false);
                socket.NoDelay = true;
                return socket;
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused && attempt < MaxConnects)
            {
                socket.Dispose();
                await Task.Delay(RefusedPause, time, deadline.Token).ConfigureAwait(false);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
    }

    private static Socket NewSocket(IPEndPoint local)
    {
        var socket = new Socket(local.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(local);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose() => _socket?.Dispose();
}
