using Microsoft.AspNetCore.Http;
using Parley.Core.Videos;

namespace Parley.Node.Videos;

/// <summary>Which variant <c>parley play PEER TITLE [--res 480p]</c> means.</summary>
internal static class PlayVariant
{
    /// <summary>The variant of <paramref name="title"/> (whole, else a unique prefix) at <paramref name="res"/> (e.g. 480p), else the highest.</summary>
    public static VideoVariant Pick(VideoCatalog catalog, string title, string? res)
    {
        var matches = catalog.Titles.Where(t => string.Equals(t.Title, title, StringComparison.OrdinalIgnoreCase)).ToList();
        if (matches.Count == 0)
        {
            matches = [.. catalog.Titles.Where(t => t.Title.StartsWith(title, StringComparison.OrdinalIgnoreCase))];
        }
        var found = matches.Count switch
        {
            1 => matches[0],
            0 => throw new VideoException($"no title '{title}' in the library", StatusCodes.Status404NotFound),
            _ => throw new VideoException($"'{title}' matches {string.Join(", ", matches.Take(5).Select(t => t.Title))}; give more of the title", StatusCodes.Status409Conflict),
        };
        if (string.IsNullOrWhiteSpace(res))
        {
            return found.Variants[^1];
        }
        var wanted = res.Trim().ToLowerInvariant();
        wanted = wanted.EndsWith('p') ? wanted : wanted + "p";
        return found.Variants.LastOrDefault(v => v.Label == wanted)
            ?? throw new VideoException($"'{found.Title}' has no {wanted} variant (it has {string.Join(", ", found.Variants.Select(v => v.Label))})", StatusCodes.Status404NotFound);
    }
}
