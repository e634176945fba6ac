namespace Parley.Hub;

/// <summary>
/// When each of a hub's members is next refreshed in the cluster's presence, spread over the interval.
/// Refreshing every member on one timer tick put a hub's whole membership into NATS at once (a thousand
/// members across a cluster every 5 s), and those R3 writes and every hub's watch of them queued in
/// front of room deliveries on the same connections and cores. So a member's first refresh falls at a
/// random point of the first interval, and each later one an interval after the last: members who join
/// together (a hub's restart, a failover) are spread after one interval and stay spread. A member is
/// never refreshed later than one interval and one tick after the last time.
/// </summary>
internal sealed class RefreshSchedule<TKey>(TimeSpan interval, Func<double> random) where TKey : notnull
{
    private readonly Dictionary<TKey, DateTimeOffset> _due = [];
    private readonly Lock _lock = new();

    /// <summary>A member just put into presence (joined, or here again): next refresh within one interval, at random.</summary>
    public void Add(TKey key, DateTimeOffset now)
    {
        lock (_lock)
        {
            _due[key] = now + interval * random();
        }
    }

    public void Remove(TKey key)
    {
        lock (_lock)
        {
            _due.Remove(key);
        }
    }

    /// <summary>
    /// Whether <paramref name="key"/>'s refresh is due at <paramref name="now"/>; if so it is next due an
    /// interval later. A key the schedule does not hold (gone since it was listed) is never due.
    /// </summary>
    public bool TakeIfDue(TKey key, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (!_due.TryGetValue(key, out var at) || at > now)
            {
                return false;
            }
            _due[key] = now + interval;
            return true;
        }
    }
}
