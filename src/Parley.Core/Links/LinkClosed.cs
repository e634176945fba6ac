using Parley.Core.Protocol;

namespace Parley.Core.Links;

/// <summary>How a link ended: the code, the human-readable reason, and which side ended it.</summary>
public sealed record LinkClosed(CloseCode Code, string Reason, bool ByRemote);

public enum LinkDirection
{
    Outbound,
    Inbound,
}
