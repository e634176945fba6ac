using System.Globalization;

namespace Parley.Node.Videos;

/// <summary>
/// What a Range request header asks of a resource of known size (RFC 9110 §14): the whole body
/// (no header, another unit, several ranges or a malformed one, which HTTP lets a server ignore),
/// one satisfiable range, or nothing satisfiable (416).
/// </summary>
public readonly record struct ByteRange(long Start, long Length, bool Partial, bool Unsatisfiable)
{
    public long End => Start + Length - 1;

    public static ByteRange Whole(long size) => new(0, size, false, false);

    public static ByteRange Parse(string? header, long size)
    {
        const string Unit = "bytes=";
        if (string.IsNullOrWhiteSpace(header) || !header.StartsWith(Unit, StringComparison.OrdinalIgnoreCase) || header.Contains(','))
        {
            return Whole(size);
        }
        var spec = header[Unit.Length..].Trim();
        var dash = spec.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            return Whole(size);
        }
        var (first, last) = (spec[..dash], spec[(dash + 1)..]);
        if (first.Length == 0)
        {
            // A suffix: the last N bytes.
            if (!Number(last, out var suffix))
            {
                return Whole(size);
            }
            return suffix == 0 || size == 0 ? Unsatisfied() : new ByteRange(size - Math.Min(suffix, size), Math.Min(suffix, size), true, false);
        }
        var end = long.MaxValue; // "N-": to the end
        if (!Number(first, out var start) || (last.Length > 0 && (!Number(last, out end) || end < start)))
        {
            return Whole(size);
        }
        if (start >= size)
        {
            return Unsatisfied();
        }
        var stop = Math.Min(end, size - 1);
        return new ByteRange(start, stop - start + 1, true, false);
    }

    private static ByteRange Unsatisfied() => new(0, 0, false, true);

    private static bool Number(string text, out long value) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && text.Length <= 19;
}
