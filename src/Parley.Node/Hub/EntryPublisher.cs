using Parley.Core.Hub.Directory;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;

namespace Parley.Node.Hub;

/// <summary>
/// This node's signed directory entry (name and agreement key), published on every link to the hub
/// and again after a rename, so others can look it up and seal to it.
/// </summary>
internal sealed class EntryPublisher(NodeIdentity identity, AgreementKey agreement, IHubChannel channel, NodeProfile profile, TimeProvider time)
{
    public void Publish(IPeerLink hub) => hub.TrySend(FrameType.DirectoryPublish, Entry().ToArray());

    /// <summary>Publishes again, as after a rename; nothing when the hub is not linked (the next link publishes).</summary>
    public void Republish() => channel.TrySend(FrameType.DirectoryPublish, Entry());

    private DirectoryEntry Entry() => DirectoryEntry.Create(identity, profile.Name, agreement.PublicKey, time.GetUtcNow());
}
