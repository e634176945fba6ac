using System.Net;
using System.Net.Sockets;
using Parley.Core.Traversal;
using Parley.Node.Hub;

namespace Parley.Node.Calls;

/// <summary>The hub's UDP relay as a call's relay candidate: one allocation per call, asked over the hub link.</summary>
internal sealed class HubMediaRelayFactory(UdpRelayClient client, NodeOptions options, TimeProvider time) : IMediaRelayFactory
{
    public async Task<IMediaRelay?> TryCreateAsync(CancellationToken cancellationToken)
    {
        if (!client.Channel.Connected)
        {
            return null;
        }
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(new IPEndPoint(options.PeerBindAddress.AddressFamily == AddressFamily.InterNetwork ? options.PeerBindAddress : IPAddress.Any, 0));
            var allocation = await client.AllocateAsync(cancellationToken).ConfigureAwait(false);
            return new HubMediaRelay(socket, allocation, client.Channel, time);
        }
        catch (Exception e) when (e is HubUnavailableException or InvalidOperationException or SocketException or OperationCanceledException)
        {
            socket.Dispose();
            return null; // no relay from the hub now: the call tries its other candidates, then the link
        }
    }
}
