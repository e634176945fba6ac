using System.Globalization;
using System.Text;

namespace Parley.Cli;

/// <summary>
/// Makes peer-supplied text safe to print: control characters (including ESC, so no ANSI escape
/// sequences reach the terminal) and bidirectional overrides are shown as \u escapes.
/// </summary>
internal static class TerminalText
{
    public static string Safe(string? text, bool allowNewlines = false)
    {
        if (string.IsNullOrEmpty(text))
        {
            return "";
        }
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(c);
            if (allowNewlines && c == '\n')
            {
                builder.Append(c);
            }
            else if (char.IsControl(c) || category == UnicodeCategory.Format && c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069')
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
            }
            else
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }
}
