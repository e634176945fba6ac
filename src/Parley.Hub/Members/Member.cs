using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;

namespace Parley.Hub;

/// <summary>A node linked to the hub now: its link, the name others see, where it may be reached, and its flood limits.</summary>
internal sealed class Member(IPeerLink link, string address, MemberLimits limits)
{
    public IPeerLink Link { get; } = link;

    public DeviceId Id => Link.RemoteId;

    /// <summary>From its hello, then from each directory entry it publishes (a rename).</summary>
    public string Name { get; set; } = link.RemoteHello.Name;

    /// <summary>
    /// Where others might reach the member directly: the address the hub sees, with the member's listening
    /// port (or the port its router forwards, once it says); may be empty.
    /// </summary>
    public string Address { get; set; } = address;

    public MemberLimits Limits { get; } = limits;

    /// <summary>Queues a message to the member; false when its link has closed.</summary>
    public bool Send<T>(FrameType type, T message) where T : IWireMessage<T> => Link.TrySend(type, message.ToArray());
}
