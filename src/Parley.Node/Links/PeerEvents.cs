using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Events;

namespace Parley.Node.Links;

/// <summary>Event types about peers' links and consent.</summary>
[EventNames]
public static class PeerEvents
{
    /// <summary>A device that is not a contact linked to us and asks to connect.</summary>
    public const string Request = "request";

    public const string Online = "peer.online";

    public const string Offline = "peer.offline";

    /// <summary>The peer accepted us (or took it back) on a live link.</summary>
    public const string Consent = "peer.consent";
}

public sealed record PeerRequestEvent(string DeviceId, string Name, string? Address);

public sealed record PeerOnlineEvent(string DeviceId, string Name, LinkDirection Direction, bool Contact);

public sealed record PeerOfflineEvent(string DeviceId, string Name, CloseCode Code, string Reason, bool ByRemote);

public sealed record PeerConsentEvent(string DeviceId, string Name, bool Accepted);
