namespace Parley.Node.Attachments.Voice;

/// <summary>The drawn shape of a voice message: its loudest moments, a fixed number of points long.</summary>
internal static class Waveform
{
    /// <summary>
    /// Gathers per-slice peaks into <paramref name="points"/> values, each the loudest slice of its share
    /// of the message. A message shorter than the points repeats its slices, so it still spans the bar.
    /// </summary>
    public static IReadOnlyList<int> FromSlices(IReadOnlyList<byte> slices, int points)
    {
        var values = new int[points];
        if (slices.Count == 0)
        {
            return values;
        }
        for (var p = 0; p < points; p++)
        {
            var from = (int)((long)p * slices.Count / points);
            var to = Math.Max(from + 1, (int)((long)(p + 1) * slices.Count / points));
            var peak = 0;
            for (var s = from; s < to; s++)
            {
                peak = Math.Max(peak, slices[s]);
            }
            values[p] = peak;
        }
        return values;
    }
}
