using Parley.Node.Events;

namespace Parley.Node.Calls;

/// <summary>The event stream's call events; each carries a <see cref="CallInfo"/>.</summary>
[EventNames]
public static class CallsEvents
{
    /// <summary>We placed a call; it rings at the peer.</summary>
    public const string Ringing = "call.ringing";

    /// <summary>A contact rings us.</summary>
    public const string Incoming = "call.incoming";

    /// <summary>The callee said yes (either side): media starts.</summary>
    public const string Answered = "call.answered";

    /// <summary>Hung up, declined, missed, refused or cut off; the call says why and by whom.</summary>
    public const string Ended = "call.ended";

    /// <summary>No UDP packet arrived in time: media moved to the TLS link.</summary>
    public const string Transport = "call.transport";
}
