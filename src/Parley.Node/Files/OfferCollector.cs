using Parley.Core.Files;

namespace Parley.Node.Files;

/// <summary>What a send of some paths offers: every regular file under them, with '/'-separated names relative to each path's parent.</summary>
internal static class OfferCollector
{
    public sealed record Entry(string Relative, long Size, string Source);

    /// <summary>
    /// The files under <paramref name="paths"/> and the links skipped. Stops early once past
    /// <see cref="FileOffer.MaxFiles"/> (the caller refuses such a send).
    /// </summary>
    public static (List<Entry> Entries, List<string> Skipped) Collect(IReadOnlyList<string> paths)
    {
        var entries = new List<Entry>();
        var skipped = new List<string>();
        foreach (var raw in paths)
        {
            var path = Path.GetFullPath(raw).TrimEnd(Path.DirectorySeparatorChar);
            var info = new FileInfo(path);
            if (info.LinkTarget is not null)
            {
                skipped.Add(path);
            }
            else if (info.Exists)
            {
                entries.Add(new Entry(info.Name, info.Length, path));
            }
            else if (Directory.Exists(path))
            {
                CollectFolder(new DirectoryInfo(path), Path.GetDirectoryName(path)!, entries, skipped);
            }
            else
            {
                throw new TransferException($"'{SafeNames.Printable(raw)}' does not exist");
            }
            if (entries.Count > FileOffer.MaxFiles)
            {
                break;
            }
        }
        return (entries, skipped);
    }

    private static void CollectFolder(DirectoryInfo folder, string parent, List<Entry> entries, List<string> skipped)
    {
        // Links are not followed: a link could point anywhere, including outside what the user chose to send.
        foreach (var item in folder.EnumerateFileSystemInfos().OrderBy(i => i.Name, StringComparer.Ordinal))
        {
            if (item.LinkTarget is not null)
            {
                skipped.Add(item.FullName);
            }
            else if (item is FileInfo file)
            {
                entries.Add(new Entry(Path.GetRelativePath(parent, file.FullName).Replace(Path.DirectorySeparatorChar, '/'), file.Length, file.FullName));
            }
            else if (item is DirectoryInfo sub)
            {
                CollectFolder(sub, parent, entries, skipped);
            }
            if (entries.Count > FileOffer.MaxFiles)
            {
                return;
            }
        }
    }
}
