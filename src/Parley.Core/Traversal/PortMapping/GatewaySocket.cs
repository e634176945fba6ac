using System.Net;
using System.Net.Sockets;

namespace Parley.Core.Traversal.PortMapping;

/// <summary>
/// A UDP socket connected to the gateway's port 5351 (NAT-PMP and PCP share it), so only the gateway's
/// datagrams are received. A request is sent again after 250 ms, then after twice as long each time
/// (RFC 6886 §3.1, RFC 6887 §8.1.1), for a bounded number of tries: a home router answers in
/// milliseconds, and no answer at all means there is no server to wait for.
/// </summary>
internal sealed class GatewaySocket : IDisposable
{
    public const int ServerPort = 5351;

    /// <summary>The largest PCP message (RFC 6887 §7); NAT-PMP's are smaller.</summary>
    public const int MaxMessageBytes = 1100;

    private static readonly TimeSpan FirstWait = TimeSpan.FromMilliseconds(250);
    private readonly Socket _socket;

    private GatewaySocket(Socket socket) => _socket = socket;

    /// <summary>Our address toward the gateway (the one the router sees, which PCP must name).</summary>
    public IPAddress LocalAddress => ((IPEndPoint)_socket.LocalEndPoint!).Address;

    public static GatewaySocket? Open(IPAddress gateway)
    {
        var socket = new Socket(gateway.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Connect(new IPEndPoint(gateway, ServerPort));
            return new GatewaySocket(socket);
        }
        catch (SocketException)
        {
            socket.Dispose();
            return null;
        }
    }

    /// <summary>The first reply <paramref name="isAnswer"/> takes, or null after <paramref name="tries"/> sends went unanswered.</summary>
    public async Task<byte[]?> AskAsync(byte[] request, Func<byte[], bool> isAnswer, int tries, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxMessageBytes];
        var wait = FirstWait;
        for (var attempt = 0; attempt < tries; attempt++, wait *= 2)
        {
            try
            {
                await _socket.SendAsync(request, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(wait);
                while (true)
                {
                    var length = await _socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token).ConfigureAwait(false);
                    var reply = buffer.AsSpan(0, length).ToArray();
                    if (isAnswer(reply))
                    {
                        return reply;
                    }
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // No answer in time: send again.
            }
            catch (SocketException)
            {
                // ICMP port unreachable (nothing listens on 5351) surfaces here: no server.
                return null;
            }
        }
        return null;
    }

    public void Dispose() => _socket.Dispose();
}
