using Parley.Core.Calls;

namespace Parley.Node.Calls;

/// <summary>The names of a call's media paths, as the API, the events and the terminal call show them.</summary>
public static class CallPaths
{
    /// <summary>UDP straight to the peer (on the LAN, punched, or mapped).</summary>
    public const string Direct = "udp";

    /// <summary>UDP through the hub's relay.</summary>
    public const string HubUdp = CallRelayCandidates.HubUdp;

    /// <summary>UDP through a TURN server.</summary>
    public const string Turn = CallRelayCandidates.Turn;

    /// <summary>The TLS link (UDP blocked, or while a path is checked).</summary>
    public const string Link = "link";
}
