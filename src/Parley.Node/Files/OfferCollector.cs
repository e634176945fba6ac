using Parley.Core.Files;

namespace Parley.Node.Files;

/// <summary>
/// What a send of some paths offers: every regular file under them, with '/'-separated names relative to
/// each path's parent, its modification time and executable bit, and every folder (as tar and rsync -a keep
/// them: empty ones exist on the other side too, and each keeps its own time). A folder comes after everything
/// in it, so the receiver, which lands in offer order, stamps its time once nothing more lands in it (a file
/// landing in a folder changes the folder's time). Symbolic links are never followed: they are listed as
/// skipped for the sender's summary.
/// </summary>
internal static class OfferCollector
{
    public sealed record Entry(string Relative, long Size, string Source, long Modified = 0, OfferFlags Flags = OfferFlags.None);

    private static Entry FileEntry(FileInfo file, string relative) =>
        new(relative, file.Length, file.FullName, UnixMs(file.LastWriteTimeUtc), IsExecutable(file) ? OfferFlags.Executable : OfferFlags.None);

    private static bool IsExecutable(FileSystemInfo file) =>
        !OperatingSystem.IsWindows() && (file.UnixFileMode & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0;

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
                entries.Add(FileEntry(info, info.Name));
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
                entries.Add(FileEntry(file, Relative(parent, file)));
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
        entries.Add(new Entry(Relative(parent, folder), 0, folder.FullName, UnixMs(folder.LastWriteTimeUtc), OfferFlags.Folder));
    }

    private static long UnixMs(DateTime utc) => new DateTimeOffset(utc, TimeSpan.Zero).ToUnixTimeMilliseconds();

    private static string Relative(string parent, FileSystemInfo item) => Path.GetRelativePath(parent, item.FullName).Replace(Path.DirectorySeparatorChar, '/');
}
