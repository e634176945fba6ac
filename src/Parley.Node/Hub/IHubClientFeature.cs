using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;

namespace Parley.Node.Hub;

/// <summary>
/// A feature that speaks with the hub (presence, directory, relay, mailbox, rooms). It declares the
/// frame types it takes from the hub; <see cref="HubFrameRouter"/>, built once from every feature,
/// hands it exactly those, one at a time. Throwing <see cref="ProtocolException"/> closes the hub link
/// with the message as reason (the connection then redials).
/// </summary>
internal interface IHubClientFeature
{
    /// <summary>The frame types the hub sends that this feature owns. No two features may own one type.</summary>
    IReadOnlyList<FrameSpec> Frames { get; }

    ValueTask OnFrameAsync(IPeerLink hub, Frame frame);

    /// <summary>A link to the hub is up (after joining or reconnecting): publish, rejoin, hand out keys again.</summary>
    Task OnHubLinkedAsync(IPeerLink hub) => Task.CompletedTask;

    /// <summary>The link to the hub closed: what it said (who is online, requests in flight) no longer holds.</summary>
    void OnHubLost()
    {
    }

    /// <summary>The node switched to another hub, or left it (null): forget what the previous one said.</summary>
    void OnHubChanged(Invite? hub)
    {
    }
}
