namespace Parley.Core.Links;

/// <summary>Reconnect delays: doubling from a first delay up to a maximum, with ±20 % jitter so peers do not retry in lockstep.</summary>
public static class Backoff
{
    public static TimeSpan Delay(int failures, TimeSpan first, TimeSpan max)
    {
        var exponent = Math.Clamp(failures - 1, 0, 20);
        var delay = Math.Min(first.TotalMilliseconds * Math.Pow(2, exponent), max.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(delay * (0.8 + 0.4 * Random.Shared.NextDouble()));
    }
}
