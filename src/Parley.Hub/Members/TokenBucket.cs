namespace Parley.Hub;

/// <summary>Allows <c>rate</c> requests a second on average and <c>burst</c> at once; the hub's per-member flood limit.</summary>
internal sealed class TokenBucket(double rate, int burst, TimeProvider time)
{
    private readonly Lock _lock = new();
    private double _tokens = burst;
    private long _last = time.GetTimestamp();

    /// <summary>Takes <paramref name="count"/> tokens if there are that many; false (taking none) if not.</summary>
    public bool TryTake(int count = 1)
    {
        lock (_lock)
        {
            var now = time.GetTimestamp();
            _tokens = Math.Min(burst, _tokens + time.GetElapsedTime(_last, now).TotalSeconds * rate);
            _last = now;
            if (_tokens < count)
            {
                return false;
            }
            _tokens -= count;
            return true;
        }
    }
}
