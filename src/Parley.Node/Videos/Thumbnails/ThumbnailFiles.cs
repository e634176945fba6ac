namespace Parley.Node.Videos.Thumbnails;

/// <summary>
/// A folder of small files in the node's home, named by a key (hex digits and a suffix), written
/// whole or not at all (a temporary file renamed into place), and kept to <see cref="MaxFiles"/>
/// by removing the oldest: the owner's poster frames and failure marks, the viewer's fetched frames.
/// </summary>
internal sealed class ThumbnailFiles(string folder, int maxFiles = ThumbnailFiles.DefaultMaxFiles)
{
    /// <summary>Defaults to 4,000 files: twice a full catalog's variants, about 96 MiB at most.</summary>
    public const int DefaultMaxFiles = 4000;

    private readonly Lock _pruning = new();

    public string Folder { get; } = folder;

    public int MaxFiles => maxFiles;

    public string PathOf(string name) => Path.Combine(Folder, name);

    public bool Exists(string name) => File.Exists(PathOf(name));

    /// <summary>The file's bytes, or null when there is none (or it grew past <paramref name="maxBytes"/>, which only a hand could do).</summary>
    public byte[]? TryRead(string name, int maxBytes)
    {
        try
        {
            using var stream = new FileStream(PathOf(name), FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
            if (stream.Length > maxBytes)
            {
                return null;
            }
            var bytes = new byte[stream.Length];
            stream.ReadExactly(bytes);
            return bytes;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    public void Write(string name, ReadOnlySpan<byte> bytes)
    {
        Directory.CreateDirectory(Folder);
        var temporary = PathOf($".{name}.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(temporary, bytes);
        File.Move(temporary, PathOf(name), overwrite: true);
        Prune();
    }

    /// <summary>Past <see cref="MaxFiles"/>, removes the oldest tenth (stale frames of files that changed or left the folder go first).</summary>
    private void Prune()
    {
        lock (_pruning)
        {
            var files = new DirectoryInfo(Folder).GetFiles();
            if (files.Length <= maxFiles)
            {
                return;
            }
            foreach (var old in files.OrderBy(f => f.LastWriteTimeUtc).Take(files.Length - maxFiles * 9 / 10))
            {
                try
                {
                    old.Delete();
                }
                catch (IOException)
                {
                    // Gone meanwhile.
                }
            }
        }
    }
}
