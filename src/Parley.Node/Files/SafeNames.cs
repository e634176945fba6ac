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

    /// <summary>Cuts a component to <paramref name="maxBytes"/> UTF-8 bytes (255 unless told), keeping a short extension.</summary>
    private static string Shorten(string name, int maxBytes = MaxComponentBytes)
    {
        if (Encoding.UTF8.GetByteCount(name) <= maxBytes)
        {
            return name;
        }
        var dot = name.LastIndexOf('.');
        var extension = dot > 0 && name.Length - dot <= 16 ? name[dot..] : "";
        var stem = extension.Length > 0 ? name[..dot] : name;
        var budget = maxBytes - Encoding.UTF8.GetByteCount(extension);
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
    /// file takes a name another entry needs as a folder. A folder entry (<paramref name="isFolder"/>) named as
    /// a folder other entries are in is that folder (it carries the folder's time), not a clash. Returns null with
    /// the reason when any name cannot be made safe.
    /// </summary>
    public static IReadOnlyList<string>? Plan(IReadOnlyList<string> offered, out string error, Func<int, bool>? isFolder = null)
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
        // Every folder an entry needs is taken first, so no file is given a folder's name.
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var folderNames = new HashSet<string>(StringComparer.Ordinal);
        var folders = new List<int>();
        foreach (var path in sanitized)
        {
            folders.Clear();
            var folded = Fold(path, folders);
            foreach (var end in folders)
            {
                taken.Add(folded[..end]);
                folderNames.Add(folded[..end]);
            }
        }
        // Where each name's search for a free suffix goes on from: linear in the offer, where starting
        // every duplicate at " (1)" made 20,000 copies of one name take minutes.
        var nextSuffix = new Dictionary<string, int>(StringComparer.Ordinal);
        var planned = new List<string>(sanitized.Count);
        for (var i = 0; i < sanitized.Count; i++)
        {
            var path = sanitized[i];
            var candidate = path;
            var key = Fold(path);
            var folder = isFolder?.Invoke(i) == true;
            if (folder && folderNames.Contains(key))
            {
                planned.Add(candidate); // the same folder as other entries' (or an earlier folder entry's)
                continue;
            }
            if (!taken.Add(key))
            {
                var n = nextSuffix.GetValueOrDefault(key, 1);
                do
                {
                    candidate = WithSuffix(path, n++);
                }
                while (!taken.Add(Fold(candidate)));
                nextSuffix[key] = n;
            }
            if (folder)
            {
                folderNames.Add(Fold(candidate));
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
    public static string Fold(string path) => Fold(path, null);

    /// <summary>As <see cref="Fold(string)"/>, adding to <paramref name="folders"/> where each folder of the path ends in the result.</summary>
    private static string Fold(string path, List<int>? folders)
    {
        var builder = new StringBuilder(path.Length);
        foreach (var c in path)
        {
            if (c == '/')
            {
                folders?.Add(builder.Length);
            }
            switch (c)
            {
                case >= '\uFF01' and <= '\uFF5E': builder.Append((char)(c - 0xFEE0)); break;
                case '\u3000': builder.Append(' '); break;
                case '\u212A': builder.Append('K'); break;
                case '\u212B': builder.Append('Å'); break;
                case '\u017F': builder.Append('S'); break;
                case '\uFB01': builder.Append("FI"); break;
                case '\uFB02': builder.Append("FL"); break;
                case '\u00DF': builder.Append("SS"); break;
                case '\u00B9': builder.Append('1'); break;
                case '\u00B2': builder.Append('2'); break;
                case '\u00B3': builder.Append('3'); break;
                default: builder.Append(c); break;
            }
        }
        // Upper-casing maps each char to one char, so the folder ends stay where they are.
        return builder.ToString().ToUpperInvariant();
    }

    /// <summary>"dir/name.ext" → "dir/name (n).ext"; a name that would grow past 255 bytes is shortened to make room.</summary>
    public static string WithSuffix(string path, int n)
    {
        var slash = path.LastIndexOf('/');
        var folder = slash >= 0 ? path[..(slash + 1)] : "";
        var name = Shorten(path[(slash + 1)..], MaxComponentBytes - $" ({n})".Length);
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
