using Parley.Core.Identity;

namespace Parley.Node.Hub;

/// <summary>A device the hub says is (or was) a member, whether it is online now, and the address the hub sees it at.</summary>
internal sealed record HubMember(DeviceId DeviceId, string Name, bool Online, DateTimeOffset LastSeen, string Address);
