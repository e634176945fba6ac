using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Node.Links;

namespace Parley.Node.Contacts;

/// <summary>This node's invite: its device ID, name and every LAN address it can be reached at.</summary>
public sealed class NodeInvites(NodeIdentity identity, NodeProfile profile, LinkManager links)
{
    public Invite Create() => new(identity.DeviceId, profile.Name, LocalAddresses.IPv4(links.ListenPort, withLoopback: false));
}
