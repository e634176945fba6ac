namespace Parley.Hub;

/// <summary>Which of a member's allowances a frame spends.</summary>
internal enum HubBudget
{
    /// <summary>Publish, lookups, relay and mailbox requests, room commands: a low rate.</summary>
    Requests,

    /// <summary>Room messages and sender keys: a higher rate, still bounded.</summary>
    RoomTraffic,
}

/// <summary>One member's flood limits: a member over its rate is cut off (its link closed), so it cannot slow the others.</summary>
internal sealed class MemberLimits(HubOptions options)
{
    private readonly TokenBucket _requests = new(options.RequestsPerSecond, options.RequestBurst, options.TimeProvider);
    private readonly TokenBucket _roomTraffic = new(options.RoomMessagesPerSecond, (int)(options.RoomMessagesPerSecond * 2), options.TimeProvider);

    /// <summary>Spends one from <paramref name="budget"/>; null when allowed, else the close reason.</summary>
    public string? TrySpend(HubBudget budget) => budget switch
    {
        HubBudget.RoomTraffic => _roomTraffic.TryTake() ? null : $"too many room messages (over {options.RoomMessagesPerSecond:0}/s)",
        _ => _requests.TryTake() ? null : $"too many requests (over {options.RequestsPerSecond:0}/s)",
    };
}
