namespace Parley.Core.Traversal;

/// <summary>How a <see cref="TurnAllocation"/> talks to its server. Tests shorten the timings; the defaults follow RFC 8489 and 8656.</summary>
public sealed record TurnOptions
{
    /// <summary>Wait before the first retransmission of a request; doubles on each (RFC 8489 §6.2.1). Defaults to 500 ms.</summary>
    public TimeSpan InitialRto { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Times a request is sent before it is given up (the last one waits its own RTO). Defaults to 5 (about 15 s in all).</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>The allocation lifetime asked for; the server may grant less, and it is refreshed at half of what it grants. Defaults to 600 s.</summary>
    public TimeSpan Lifetime { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How often each peer's permission (and channel) is renewed; they last 300 s and 600 s (RFC 8656 §9, §12). Defaults to 4 min.</summary>
    public TimeSpan PermissionRefresh { get; init; } = TimeSpan.FromMinutes(4);

    /// <summary>Peers one allocation lets through; another is refused. Defaults to 64 (a call needs a few).</summary>
    public int MaxPeers { get; init; } = 64;

    /// <summary>Datagrams received and not yet read; past it the oldest is dropped (media prefers fresh). Defaults to 256.</summary>
    public int ReceiveQueue { get; init; } = 256;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>A TURN server refused or did not answer; the message says which and why, for the user.</summary>
public sealed class TurnException(string message, int code = 0) : Exception(message)
{
    /// <summary>The STUN error code (401, 437, 438, 486 …), or 0 for no answer.</summary>
    public int Code { get; } = code;
}
