using Microsoft.AspNetCore.Http;
using Parley.Core.Videos;

namespace Parley.Node.Videos;

/// <summary>Which variant <c>parley play PEER TITLE [--res 480p] [--variant mkv]</c> means.</summary>
internal static class PlayVariant
{
    /// <summary>
    /// The variant of <paramref name="title"/> (whole, else a unique prefix) at <paramref name="res"/> (e.g. 480p), else the
    /// highest; among files of the same resolution (an .mkv and an .mp4 of one film), the one whose container, file
    /// extension, codec or file name is <paramref name="variant"/>, else the last listed.
    /// </summary>
    public static VideoVariant Pick(VideoCatalog catalog, string title, string? res, string? variant = null)
    {
        var found = Title(catalog, title);
        var candidates = found.Variants.ToList();
        if (!string.IsNullOrWhiteSpace(res))
        {
            var wanted = res.Trim().ToLowerInvariant();
            wanted = wanted.EndsWith('p') ? wanted : wanted + "p";
            candidates = [.. candidates.Where(v => v.Label == wanted)];
            if (candidates.Count == 0)
            {
                throw new VideoException($"'{found.Title}' has no {wanted} variant (it has {Describe(found.Variants)})", StatusCodes.Status404NotFound);
            }
        }
        if (!string.IsNullOrWhiteSpace(variant))
        {
            var choice = variant.Trim().TrimStart('.');
            candidates = [.. candidates.Where(v => Matches(v, choice))];
            if (candidates.Count == 0)
            {
                throw new VideoException($"'{found.Title}' has no variant '{choice}'{(res is null ? "" : " at " + res)} (it has {Describe(found.Variants)})",
                    StatusCodes.Status404NotFound);
            }
        }
        return candidates[^1];
    }

    private static VideoTitle Title(VideoCatalog catalog, string title)
    {
        var matches = catalog.Titles.Where(t => string.Equals(t.Title, title, StringComparison.OrdinalIgnoreCase)).ToList();
        if (matches.Count == 0)
        {
            matches = [.. catalog.Titles.Where(t => t.Title.StartsWith(title, StringComparison.OrdinalIgnoreCase))];
        }
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new VideoException($"no title '{title}' in the library", StatusCodes.Status404NotFound),
            _ => throw new VideoException($"'{title}' matches {string.Join(", ", matches.Take(5).Select(t => t.Title))}; give more of the title", StatusCodes.Status409Conflict),
        };
    }

    /// <summary>Container ("matroska" also answers to "mkv"), file extension, video or audio codec, or the whole file name.</summary>
    private static bool Matches(VideoVariant v, string choice)
    {
        var extension = Path.GetExtension(v.File).TrimStart('.');
        return new[] { v.Container, extension, v.VideoCodec, v.AudioCodec, v.File, v.Container == "matroska" ? "mkv" : null }
            .Any(name => string.Equals(name, choice, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>"480p mp4 h264 (dog.mp4), 480p mkv vp9 (dog.mkv)": enough to choose with --res and --variant.</summary>
    private static string Describe(IEnumerable<VideoVariant> variants) =>
        string.Join(", ", variants.Select(v => $"{v.Label} {Path.GetExtension(v.File).TrimStart('.')} {v.VideoCodec} ({v.File})"));
}
