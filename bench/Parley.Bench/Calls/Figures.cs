using System.Globalization;

namespace Parley.Bench.Calls;

/// <summary>How the call benches sum up what they measured: percentiles of a run, and a figure's median and spread over rounds.</summary>
internal static class Figures
{
    /// <summary>The value <paramref name="share"/> of the way up the sorted values (NaN for none).</summary>
    public static double Percentile(IReadOnlyCollection<double> values, double share)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }
        var sorted = values.Order().ToArray();
        return sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(share * sorted.Length))];
    }

    /// <summary>"median (lowest–highest)" of a figure over rounds.</summary>
    public static string Spread(IEnumerable<double> values, string format)
    {
        var sorted = values.Order().ToArray();
        return $"{sorted[sorted.Length / 2].ToString(format, CultureInfo.InvariantCulture)} ({sorted[0].ToString(format, CultureInfo.InvariantCulture)}–{sorted[^1].ToString(format, CultureInfo.InvariantCulture)})";
    }
}
