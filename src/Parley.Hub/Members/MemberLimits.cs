namespace Parley.Hub;

/// <summary>Which of a member's allowances a frame spends.</summary>
internal enum HubBudget
{
    /// <summary>Publish, lookups, relay and mailbox requests, room commands: a low rate.</summary>
    Requests,

    /// <summary>Room messages: a higher rate, still bounded.</summary>
    RoomTraffic,

    /// <summary>Sender keys: the member's rekey credit first (see <see cref="MemberLimits.GrantRekeys"/>), then room traffic.</summary>
    RoomKeys,

    /// <summary>
    /// Acknowledgements of room entries and keys: what others send obliges them, so they have an
    /// allowance of their own, ten times room traffic's.
    /// </summary>
    RoomAcks,
}

/// <summary>
/// One member's flood limits: a member over its rate is cut off (its link closed), so it cannot slow
/// the others. What a member must send because of what another did is not charged to it: each join or
/// leave the hub tells it of obliges it to hand every other member of the room a new sender key, so
/// the notice brings credit for exactly those keys, and the member who joined or left pays for the
/// notices (<see cref="TryNotify"/>).
/// </summary>
internal sealed class MemberLimits(HubOptions options)
{
    /// <summary>Most rekey credit a member may bank (four rekeys of the largest room); notices past it add none. 4,000.</summary>
    public const int MaxRekeyCredit = 4 * HubRooms.MaxMembers;

    private readonly TokenBucket _requests = new(options.RequestsPerSecond, options.RequestBurst, options.TimeProvider);
    private readonly TokenBucket _roomTraffic = new(options.RoomMessagesPerSecond, (int)(options.RoomMessagesPerSecond * 2), options.TimeProvider);
    private readonly TokenBucket _roomAcks = new(options.RoomMessagesPerSecond * 10, (int)(options.RoomMessagesPerSecond * 20), options.TimeProvider);
    private readonly TokenBucket _roomNotices = new(options.RoomNoticesPerSecond, (int)(options.RoomNoticesPerSecond * 10), options.TimeProvider);
    private int _rekeyCredit;

    /// <summary>Spends one from <paramref name="budget"/>; null when allowed, else the close reason.</summary>
    public string? TrySpend(HubBudget budget) => budget switch
    {
        HubBudget.RoomKeys when TakeRekeyCredit() => null,
        HubBudget.RoomAcks => _roomAcks.TryTake() ? null : $"too many room acknowledgements (over {options.RoomMessagesPerSecond * 10:0}/s)",
        HubBudget.RoomTraffic or HubBudget.RoomKeys => _roomTraffic.TryTake() ? null : $"too many room messages (over {options.RoomMessagesPerSecond:0}/s)",
        _ => _requests.TryTake() ? null : $"too many requests (over {options.RequestsPerSecond:0}/s)",
    };

    /// <summary>
    /// Spends what a join or leave of the member's costs the others: <paramref name="notices"/>, one for
    /// each other member told (each then rekeys); null when allowed, else why the change is refused.
    /// </summary>
    public string? TryNotify(int notices) => _roomNotices.TryTake(notices) ? null
        : $"you are joining and leaving rooms faster than this hub allows (over {options.RoomNoticesPerSecond:0} members told a second); try again in a moment";

    /// <summary>The hub told the member of a change it did not make that obliges it to send <paramref name="keys"/> sender keys: they are not charged to it.</summary>
    public void GrantRekeys(int keys)
    {
        int credit, granted;
        do
        {
            credit = Volatile.Read(ref _rekeyCredit);
            granted = Math.Min(MaxRekeyCredit, credit + Math.Max(0, keys));
        }
        while (Interlocked.CompareExchange(ref _rekeyCredit, granted, credit) != credit);
    }

    private bool TakeRekeyCredit()
    {
        int credit;
        do
        {
            credit = Volatile.Read(ref _rekeyCredit);
            if (credit == 0)
            {
                return false;
            }
        }
        while (Interlocked.CompareExchange(ref _rekeyCredit, credit - 1, credit) != credit);
        return true;
    }
}
