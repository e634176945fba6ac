namespace Parley.Node.Files;

/// <summary>
/// Puts received files under a chosen folder and nowhere else: folders are created one component
/// at a time and any existing component that is a link is refused (so a planted symlink cannot
/// redirect writes), and a finished file takes a name nothing holds yet (" (1)" and on), atomically.
/// </summary>
public static class SafeFolder
{
    private const int MaxSuffix = 10_000;

    /// <summary>Creates the folders of <paramref name="relative"/> under <paramref name="root"/>; returns the file's full path.</summary>
    public static string PrepareParent(string root, string relative)
    {
        var fullRoot = Path.GetFullPath(root);
        var parts = relative.Split('/');
        var current = fullRoot;
        foreach (var part in parts[..^1])
        {
            current = Path.Combine(current, part);
            var info = new DirectoryInfo(current);
            if (info.LinkTarget is not null || new FileInfo(current).LinkTarget is not null)
            {
                throw new IOException($"'{SafeNames.Printable(Path.GetRelativePath(fullRoot, current))}' is a link; refusing to write through it");
            }
            if (!info.Exists)
            {
                if (File.Exists(current))
                {
                    throw new IOException($"'{SafeNames.Printable(Path.GetRelativePath(fullRoot, current))}' is a file where a folder is needed");
                }
                Directory.CreateDirectory(current);
            }
        }
        var target = Path.GetFullPath(Path.Combine(current, parts[^1]));
        if (!target.StartsWith(fullRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new IOException("refusing a path outside the chosen folder");
        }
        return target;
    }

    /// <summary>Moves <paramref name="temp"/> to <paramref name="target"/>, or "target (n)" if anything is there; never replaces.</summary>
    public static string MoveToFreeName(string temp, string target)
    {
        var folder = Path.GetDirectoryName(target)!;
        var name = Path.GetFileName(target);
        for (var n = 0; n <= MaxSuffix; n++)
        {
            var candidate = n == 0 ? target : Path.Combine(folder, SafeNames.WithSuffix(name, n));
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
