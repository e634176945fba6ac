using Parley.Core.Identity;

namespace Parley.Node.Contacts;

/// <summary>The media path of a call in progress with a peer, shown beside the peer's link path (the calls feature answers).</summary>
public interface ICallPaths
{
    /// <summary>"udp", "link" and the like (as the call's own view says), or null when no call with <paramref name="peer"/> is in progress.</summary>
    string? PathWith(DeviceId peer);
}
