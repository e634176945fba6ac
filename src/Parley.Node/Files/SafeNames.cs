using System.Globalization;
using System.Text;

namespace Parley.Node.Files;

/// <summary>
/// Makes a peer's file name safe to create under a folder we chose. Names are hostile until proven
/// safe: the path must be relative, '/'-separated, with no empty, "." or ".." component (those
/// refuse the whole offer); characters that are control, format (bidi overrides) or reserved on
/// some system become '_'; trailing dots and spaces go; device names (CON, nul.txt) get a '_'
/// prefix; over-long components are shortened. The result never leaves the folder.
/// </summary>
public static class SafeNames
{
    public const int MaxComponentBytes = 255;
    public const int MaxDepth = 64;
    private const string Reserved = "\\:*?\"<>|";
    private static readonly HashSet<string> DeviceNames = new(StringComparer.OrdinalIgnoreCase)
    {
        "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
        "COM0", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9", "COM¹", "COM²", "COM³",
        "LPT0", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9", "LPT¹", "LPT²", "LPT³",
    };

    /// <summary>The safe relative path ('/'-separated) for <paramref name="offered"/>, or false with why not.</summary>
    public static bool TrySanitize(string offered, out string safe, out string error)
    {
        safe = "";
        if (string.IsNullOrEmpty(offered))
        {
            error = "an empty name";
            return false;
        }
        if (offered[0] == '/')
        {
            error = "an absolute path";
            return false;
        }
        var components = offered.Split('/');
        if (components.Length > MaxDepth)
        {
            error = $"a path deeper than {MaxDepth} folders";
            return false;
        }
        var cleaned = new string[components.Length];
        for (var i = 0; i < components.Length; i++)
        {
            var component = components[i];
            if (component.Length == 0)
            {
                error = "an empty path component ('//' or a trailing '/')";
                return false;
            }
            if (component is "." or "..")
            {
                error = $"a '{component}' path component";
                return false;
            }
            cleaned[i] = SanitizeComponent(component);
        }
        safe = string.Join('/', cleaned);
        error = "";
        return true;
    }

    private static string SanitizeComponent(string component)
    {
        var builder = new StringBuilder(component.Length);
        foreach (var rune in component.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            var unsafeChar = Rune.IsControl(rune) || category is UnicodeCategory.Format or UnicodeCategory.LineSeparator
                or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                || (rune.IsAscii && Reserved.Contains((char)rune.Value, StringComparison.Ordinal));
            builder.Append(unsafeChar ? "_" : rune.ToString());
        }
        var name = builder.ToString().TrimEnd('.', ' ');
        if (name.Length == 0)
        {
            name = "_";
        }
        // Windows treats "nul.txt" as the NUL device; look-alikes (full-width ＮＵＬ, COM¹) count too.
        var stem = Fold(name).Split('.')[0].TrimEnd(' ');
        if (DeviceNames.Contains(stem))
        {
            name = "_" + name;
        }
        return Shorten(name);
    }

    /// <summary>Cuts a component to 255 UTF-8 bytes, keeping a short extension.</summary>
    private static string Shorten(string name)
    {
        if (Encoding.UTF8.GetByteCount(name) <= MaxComponentBytes)
        {
            return name;
        }
        var dot = name.LastIndexOf('.');
        var extension = dot > 0 && name.Length - dot <= 16 ? name[dot..] : "";
        var stem = extension.Length > 0 ? name[..dot] : name;
        var budget = MaxComponentBytes - Encoding.UTF8.GetByteCount(extension);
        var runes = stem.EnumerateRunes().ToList();
        var kept = new StringBuilder();
        var used = 0;
        foreach (var rune in runes)
        {
            if (used + rune.Utf8SequenceLength > budget)
            {
                break;
            }
            kept.Append(rune.ToString());
            used += rune.Utf8SequenceLength;
        }
        return kept + extension;
    }

    /// <summary>
    /// Sanitized paths for every file of an offer, made distinct from each other ignoring case and
    /// look-alike forms (<see cref="Fold"/>; so no two land on one file on any file system), and so that no
    /// file takes a name another entry needs as a folder. Returns null with the reason when any name
    /// cannot be made safe.
    /// </summary>
    public static IReadOnlyList<string>? Plan(IReadOnlyList<string> offered, out string error)
    {
        var sanitized = new List<string>(offered.Count);
        foreach (var name in offered)
        {
            if (!TrySanitize(name, out var safe, out var why))
            {
                error = $"refused '{Printable(name)}': {why}";
                return null;
            }
            sanitized.Add(safe);
        }
        var folders = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in sanitized)
        {
            var parts = path.Split('/');
            for (var depth = 1; depth < parts.Length; depth++)
            {
                folders.Add(Fold(string.Join('/', parts[..depth])));
            }
        }
        var taken = new HashSet<string>(folders, StringComparer.Ordinal);
        var planned = new List<string>(sanitized.Count);
        foreach (var path in sanitized)
        {
            var candidate = path;
            for (var n = 1; !taken.Add(Fold(candidate)); n++)
            {
                candidate = WithSuffix(path, n);
            }
            planned.Add(candidate);
        }
        error = "";
        return planned;
    }

    /// <summary>
    /// A key under which names that some system treats as the same collide: upper case, and the
    /// look-alikes Unicode compatibility mapping folds (full-width ASCII, the Kelvin sign, ligatures,
    /// superscript digits). Written out because the node runs without ICU (invariant globalization).
    /// </summary>
    public static string Fold(string path)
    {
        var builder = new StringBuilder(path.Length);
        foreach (var c in path)
        {
            builder.Append(c switch
            {
                >= '\uFF01' and <= '\uFF5E' => ((char)(c - 0xFEE0)).ToString(),
                '\u3000' => " ",
                '\u212A' => "K",
                '\u212B' => "Å",
                '\u017F' => "S",
                '\uFB01' => "FI",
                '\uFB02' => "FL",
                '\u00DF' => "SS",
                '\u00B9' => "1",
                '\u00B2' => "2",
                '\u00B3' => "3",
                _ => c.ToString(),
            });
        }
        return builder.ToString().ToUpperInvariant();
    }

    /// <summary>"dir/name.ext" → "dir/name (n).ext".</summary>
    public static string WithSuffix(string path, int n)
    {
        var slash = path.LastIndexOf('/');
        var folder = slash >= 0 ? path[..(slash + 1)] : "";
        var name = path[(slash + 1)..];
        var dot = name.LastIndexOf('.');
        return dot > 0 ? $"{folder}{name[..dot]} ({n}){name[dot..]}" : $"{folder}{name} ({n})";
    }

    /// <summary>A name for messages: control and format characters shown as \u escapes, at most 200 characters.</summary>
    public static string Printable(string name)
    {
        var builder = new StringBuilder();
        foreach (var c in name.Length > 200 ? name[..200] + "…" : name)
        {
            builder.Append(char.IsControl(c) || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format
                ? $"\\u{(int)c:x4}" : c.ToString());
        }
        return builder.ToString();
    }
}
