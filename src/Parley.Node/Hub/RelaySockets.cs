using System.Net;
using System.Net.Sockets;
using Parley.Core.Hub.Relay;

namespace Parley.Node.Hub;

/// <summary>
/// Our side of a relay: a new connection to the hub that presents the ticket's token, which the hub
/// splices to the peer's. We always dial the hub ourselves, so nothing is pushed to us unasked.
/// </summary>
internal static class RelaySockets
{
    /// <summary>How long connecting and presenting the token may take. 10 s.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public static async Task<Socket> OpenAsync(IPEndPoint hub, byte[] token)
    {
        var socket = new Socket(hub.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            using var timeout = new CancellationTokenSource(Timeout);
            await socket.ConnectAsync(hub, timeout.Token).ConfigureAwait(false);
            await socket.SendAsync((byte[])[.. RelayTicket.Preamble, .. token], SocketFlags.None, timeout.Token).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
