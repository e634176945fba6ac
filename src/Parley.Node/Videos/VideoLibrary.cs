using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Parley.Core.Videos;
using Parley.Core.Videos.Probes;
using Parley.Node.Videos.Thumbnails;

namespace Parley.Node.Videos;

/// <summary>
/// The owner's shared folder: its video files, their header facts and the opaque IDs peers use to
/// read them. IDs are random per file for the life of the process, so an ID is never a path and
/// one node's IDs mean nothing to another. Probes are cached by path, size and modification time.
/// Symbolic links and hidden files are skipped, so sharing a folder shares nothing outside it; and
/// every open (probe or read) goes through <see cref="ConfinedFile"/>, so a file or folder swapped
/// for a link after the scan is refused rather than followed. Each variant names its poster frame when
/// <paramref name="thumbnails"/> has one (it makes them in the background; a later scan picks them up).
/// </summary>
public sealed partial class VideoLibrary(string folder, TimeProvider time, VideoThumbnails? thumbnails = null)
{
    private static readonly string[] Extensions = [".mp4", ".m4v", ".mov", ".webm", ".mkv"];
    private static readonly TimeSpan RescanAfter = TimeSpan.FromSeconds(2);
    private readonly ConcurrentDictionary<string, (Guid Id, long Size, DateTime Modified, ProbeResult Result)> _probes = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private Dictionary<Guid, SharedFile> _files = [];
    private HashSet<string> _thumbnailIds = [];
    private VideoCatalog? _catalog;
    private DateTimeOffset _scannedAt;

    /// <summary>A file peers may read: its path under the shared folder as listed ('/'-separated) and how long it was then.</summary>
    public sealed record SharedFile(string Folder, string Relative, long Size)
    {
        /// <summary>Where it is, for the local log only (never sent to a peer).</summary>
        public string Path => System.IO.Path.Combine(Folder, Relative);

        /// <summary>Opens it for reading, refusing a link anywhere below the shared folder.</summary>
        public Microsoft.Win32.SafeHandles.SafeFileHandle OpenRead() => ConfinedFile.OpenRead(Folder, Relative);
    }

    public string Folder { get; } = Path.GetFullPath(folder);

    /// <summary>The catalog, rescanning the folder when the last scan is more than two seconds old.</summary>
    public VideoCatalog Catalog()
    {
        lock (_gate)
        {
            if (_catalog is null || time.GetUtcNow() - _scannedAt > RescanAfter)
            {
                (_catalog, _files) = Scan();
                _thumbnailIds = [.. _catalog.Titles.SelectMany(t => t.Variants).Select(v => v.Thumbnail).OfType<string>()];
                _scannedAt = time.GetUtcNow();
            }
            return _catalog;
        }
    }

    /// <summary>The file behind an ID from the latest catalog, or null for an ID this library never issued.</summary>
    public SharedFile? Find(Guid id)
    {
        lock (_gate)
        {
            return _files.GetValueOrDefault(id);
        }
    }

    /// <summary>Whether the latest catalog names this poster frame (a peer may fetch only those).</summary>
    public bool ListsThumbnail(string id)
    {
        lock (_gate)
        {
            return _thumbnailIds.Contains(id);
        }
    }

    private (VideoCatalog, Dictionary<Guid, SharedFile>) Scan()
    {
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            MaxRecursionDepth = 8,
            IgnoreInaccessible = true,
            AttributesToSkip = FileAttributes.ReparsePoint | FileAttributes.Hidden | FileAttributes.System,
        };
        var files = new Dictionary<Guid, SharedFile>();
        var variants = new List<(string Title, VideoVariant Variant)>();
        var unreadable = new List<UnreadableVideo>();
        var truncated = false;
        IEnumerable<FileInfo> found = Directory.Exists(Folder) ? new DirectoryInfo(Folder).EnumerateFiles("*", options) : [];
        foreach (var file in found.Where(f => Extensions.Contains(f.Extension.ToLowerInvariant())).OrderBy(f => f.FullName, StringComparer.Ordinal))
        {
            if (files.Count + unreadable.Count >= VideoCatalog.MaxFiles)
            {
                truncated = true;
                break;
            }
            var relative = Path.GetRelativePath(Folder, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
            if (relative.Length > VideoCatalog.MaxNameLength || relative.Any(char.IsControl))
            {
                continue;
            }
            var (id, result) = Probe(file, relative);
            if (result.Facts is not { Video: { } video } facts)
            {
                unreadable.Add(new UnreadableVideo(relative, file.Length, result.Error ?? "unreadable"));
                continue;
            }
            var shared = files[id] = new SharedFile(Folder, relative, file.Length);
            var (width, height) = video.Display;
            var duration = facts.Duration?.TotalSeconds;
            var thumbnail = thumbnails?.For(shared, file.LastWriteTimeUtc, facts.Container, duration, width, height);
            variants.Add((TitleOf(relative), new VideoVariant(id.ToString("N"), relative, file.Length, facts.Container, duration,
                video.Codec, width, height, facts.Audio?.Codec, facts.Audio?.Channels, facts.Audio?.SampleRate, video.Width, video.Height, video.Rotation, facts.Complete,
                thumbnail)));
        }
        var titles = variants.GroupBy(v => v.Title, StringComparer.OrdinalIgnoreCase)
            .Select(g => new VideoTitle(g.First().Title, [.. g.Select(v => v.Variant).OrderBy(v => Math.Min(v.Width, v.Height)).ThenBy(v => v.Size)]))
            .OrderBy(t => t.Title, StringComparer.OrdinalIgnoreCase)
            .ToList();
        return (new VideoCatalog(titles, unreadable, truncated), files);
    }

    private (Guid Id, ProbeResult Result) Probe(FileInfo file, string relative)
    {
        var modified = file.LastWriteTimeUtc;
        if (_probes.TryGetValue(file.FullName, out var known) && known.Size == file.Length && known.Modified == modified)
        {
            return (known.Id, known.Result);
        }
        // A changed file keeps its ID (a player holding it can go on), with fresh facts.
        var id = known.Id == Guid.Empty ? Guid.NewGuid() : known.Id;
        var result = ProbeConfined(new SharedFile(Folder, relative, file.Length));
        _probes[file.FullName] = (id, file.Length, modified, result);
        return (id, result);
    }

    /// <summary>The file's facts, read through a confined open; a reason that names no path when it cannot be opened (peers see it).</summary>
    private static ProbeResult ProbeConfined(SharedFile file)
    {
        try
        {
            using var handle = file.OpenRead();
            using var stream = new FileStream(handle, FileAccess.Read, bufferSize: 1);
            return VideoProbe.Probe(stream);
        }
        catch (IOException e)
        {
            return new ProbeResult(null, "cannot be opened: " + e.Message);
        }
        catch (UnauthorizedAccessException)
        {
            return new ProbeResult(null, "cannot be opened: permission denied");
        }
    }

    /// <summary>The title of a file: its path without the extension and without a resolution suffix such as <c>_480p</c>.</summary>
    public static string TitleOf(string relativePath)
    {
        var withoutExtension = relativePath[..^Path.GetExtension(relativePath).Length];
        var title = ResolutionSuffix().Replace(withoutExtension, "");
        return title.Length == 0 || title.EndsWith('/') ? withoutExtension : title;
    }

    [GeneratedRegex(@"[ ._\-\[(]*\d{3,4}[pP][\])]?$")]
    private static partial Regex ResolutionSuffix();
}
