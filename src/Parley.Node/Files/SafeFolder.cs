namespace Parley.Node.Files;

/// <summary>
/// Puts received files under a chosen folder and nowhere else: folders are created one component
/// at a time and an existing link (or file) is never used as a folder (so a planted symlink cannot
/// redirect writes), and a finished file takes a name nothing holds yet (" (1)" and on), atomically.
/// </summary>
public static class SafeFolder
{
    private const int MaxSuffix = 10_000;

    /// <summary>
    /// Creates the folders of <paramref name="relative"/> under <paramref name="root"/> and returns the
    /// file's full path. A folder name taken by a file or a link is not used: the folder becomes
    /// "name (1)" and so on, so writes never go through a link and never fail on a clash.
    /// </summary>
    public static string PrepareParent(string root, string relative, Dictionary<string, string>? prepared = null)
    {
        var fullRoot = Path.GetFullPath(root);
        var parts = relative.Split('/');
        var current = Folders(fullRoot, parts[..^1], prepared);
        var target = Path.GetFullPath(Path.Combine(current, parts[^1]));
        if (!target.StartsWith(fullRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new IOException("refusing a path outside the chosen folder");
        }
        return target;
    }

    /// <summary>Creates the folder <paramref name="relative"/> itself (an empty folder offered as such) under the same rules; returns its real path.</summary>
    public static string PrepareFolder(string root, string relative, Dictionary<string, string>? prepared = null) =>
        Folders(Path.GetFullPath(root), relative.Split('/'), prepared);

    private static string Folders(string fullRoot, string[] parts, Dictionary<string, string>? prepared)
    {
        var current = fullRoot;
        var folder = "";
        foreach (var part in parts)
        {
            // A batch of files in one folder checks and creates that folder once (prepared: relative folder → real path).
            folder = folder.Length == 0 ? part : folder + "/" + part;
            if (prepared is null || !prepared.TryGetValue(folder, out var known))
            {
                known = FolderFor(current, part);
                prepared?.Add(folder, known);
            }
            current = known;
        }
        return current;
    }

    /// <summary>The real folder named <paramref name="name"/> (or "name (n)") inside <paramref name="parent"/>, created if need be.</summary>
    private static string FolderFor(string parent, string name)
    {
        for (var n = 0; n <= MaxSuffix; n++)
        {
            var candidate = Path.Combine(parent, n == 0 ? name : SafeNames.WithSuffix(name, n));
            var info = new DirectoryInfo(candidate);
            if (info.LinkTarget is not null || new FileInfo(candidate).LinkTarget is not null || File.Exists(candidate))
            {
                continue; // a link or a file holds the name: never write through it, never replace it
            }
            info.Create();
            if (new DirectoryInfo(candidate).LinkTarget is null)
            {
                return candidate;
            }
        }
        throw new IOException($"no free folder name for '{SafeNames.Printable(name)}'");
    }

    /// <summary>
    /// Moves <paramref name="temp"/> to <paramref name="target"/>, or "target (n)" if anything is there; never replaces
    /// (atomically with renameat2 where there is one).
    /// </summary>
    public static string MoveToFreeName(string temp, string target)
    {
        var folder = Path.GetDirectoryName(target)!;
        var name = Path.GetFileName(target);
        for (var n = 0; n <= MaxSuffix; n++)
        {
            var candidate = n == 0 ? target : Path.Combine(folder, SafeNames.WithSuffix(name, n));
            if (SmallFileCalls.TryMoveNoReplace(temp, candidate) is { } moved)
            {
                if (moved)
                {
                    return candidate;
                }
                continue;
            }
            try
            {
                // Without overwrite, .NET links then unlinks on Unix: it fails if anything, even a dangling link, holds the name.
                File.Move(temp, candidate, overwrite: false);
                return candidate;
            }
            catch (IOException) when (Path.Exists(candidate) || new FileInfo(candidate).LinkTarget is not null || Directory.Exists(candidate))
            {
            }
        }
        throw new IOException($"no free name for '{SafeNames.Printable(name)}'");
    }
}
