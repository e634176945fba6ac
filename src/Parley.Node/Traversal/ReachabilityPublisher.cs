using System.Net;
using System.Net.Sockets;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Core.Traversal;
using Parley.Node.Hub;

namespace Parley.Node.Traversal;

/// <summary>
/// Tells the hub where the router forwards our peer port, on every hub link and whenever the mapping
/// changes, so the address others get for us is one they can dial. Only hubs that say they take it
/// hear it (an older hub would close the link on an unknown frame).
/// </summary>
internal sealed class ReachabilityPublisher(IHubChannel channel) : IHubClientFeature
{
    private IPEndPoint? _mapped;

    public IReadOnlyList<FrameSpec> Frames { get; } = [];

    public ValueTask OnFrameAsync(IPeerLink hub, Frame frame) => throw new ProtocolException($"a hub does not send {frame.Type} to this feature");

    public Task OnHubLinkedAsync(IPeerLink hub)
    {
        Send(hub);
        return Task.CompletedTask;
    }

    public void Publish(IPEndPoint mapped)
    {
        _mapped = mapped;
        try
        {
            if (channel.Connected)
            {
                Send(channel.RequireLink());
            }
        }
        catch (HubUnavailableException)
        {
            // The next link publishes it.
        }
    }

    private void Send(IPeerLink hub)
    {
        if (_mapped is { AddressFamily: AddressFamily.InterNetwork } mapped && (hub.RemoteHello.Capabilities & HelloCapabilities.TakesReachableAt) != 0)
        {
            hub.TrySend(FrameType.ReachableAt, new ReachableAt(mapped).ToArray());
        }
    }
}
