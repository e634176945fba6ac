using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;

namespace Parley.Node.Hub;

/// <summary>
/// The node's link to its hub as hub features see it: whether there is one, and sending on it.
/// <see cref="HubConnection"/> attaches and detaches the link; features depend on this seam and not
/// on the connection, so the connection can hand frames to them without a construction cycle, and a
/// feature's rules can be tested with a fake.
/// </summary>
internal interface IHubChannel
{
    /// <summary>The hub this node uses, if any (set on joining, before the link is up).</summary>
    Invite? Hub { get; }

    bool Connected { get; }

    /// <summary>Queues a frame to the hub; false when not linked.</summary>
    bool TrySend<T>(FrameType type, T message) where T : IWireMessage<T>;

    /// <summary>The live link, or a <see cref="HubUnavailableException"/> saying why there is none.</summary>
    IPeerLink RequireLink();
}
