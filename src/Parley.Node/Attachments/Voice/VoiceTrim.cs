using System.Globalization;

namespace Parley.Node.Attachments.Voice;

/// <summary>The part of a recording to keep, in milliseconds from its start; a null end keeps the rest.</summary>
public sealed record VoiceTrim(int StartMs, int? EndMs)
{
    /// <summary>Checks the bounds a caller gave (either may be absent); null when nothing is trimmed.</summary>
    public static VoiceTrim? Of(int? startMs, int? endMs)
    {
        if (startMs is < 0 || endMs is < 0)
        {
            throw new VoiceEncodingException("a trim point cannot be negative");
        }
        if (endMs is { } end && end <= (startMs ?? 0))
        {
            throw new VoiceEncodingException("the trim's end must come after its start");
        }
        return startMs is null or 0 && endMs is null ? null : new VoiceTrim(startMs ?? 0, endMs);
    }

    /// <summary>"START-END" as <c>parley voice --trim</c> takes it: seconds ("1.5-7") or m:ss ("0:01.5-0:07"); either side may be empty.</summary>
    public static bool TryParse(string text, out VoiceTrim? trim)
    {
        trim = null;
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0 || !TryMs(text[..dash], out var start) || !TryMs(text[(dash + 1)..], out var end))
        {
            return false;
        }
        if (start is < 0 || (end is { } e && e <= (start ?? 0)))
        {
            return false;
        }
        trim = Of(start, end);
        return true;
    }

    private static bool TryMs(string part, out int? ms)
    {
        ms = null;
        if (part.Length == 0)
        {
            return true;
        }
        var colon = part.LastIndexOf(':');
        var minutes = 0;
        if (colon >= 0 && !int.TryParse(part[..colon], NumberStyles.None, CultureInfo.InvariantCulture, out minutes))
        {
            return false;
        }
        if (!double.TryParse(part[(colon + 1)..], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) || minutes > 1000)
        {
            return false;
        }
        ms = (int)Math.Round((minutes * 60 + seconds) * 1000);
        return true;
    }
}
