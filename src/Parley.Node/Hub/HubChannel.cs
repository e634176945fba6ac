using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;

namespace Parley.Node.Hub;

/// <summary>Holds the hub in use and its live link, for <see cref="HubConnection"/> to set and hub features to use.</summary>
internal sealed class HubChannel : IHubChannel
{
    private volatile Invite? _hub;
    private volatile IPeerLink? _link;

    public Invite? Hub => _hub;

    public bool Connected => _link is { IsClosed: false };

    /// <summary>The live link, if any.</summary>
    public IPeerLink? Link => _link;

    public bool TrySend<T>(FrameType type, T message) where T : IWireMessage<T> => _link?.TrySend(type, message.ToArray()) ?? false;

    public IPeerLink RequireLink() =>
        _link ?? throw new HubUnavailableException(_hub is null ? "this node has no hub (join one with hub-join)" : "the hub is not reachable right now");

    public void Use(Invite? hub) => _hub = hub;

    public void Attach(IPeerLink link) => _link = link;

    /// <summary>Forgets <paramref name="link"/> unless a newer one replaced it already.</summary>
    public void Detach(IPeerLink link) => Interlocked.CompareExchange(ref _link, null, link);
}
