namespace Parley.Core.Identity;

/// <summary>
/// The home folder and the files in it are readable by their owner only: the folder 0700, every file
/// 0600, each given its mode when it is created, before anything is written to it. The process umask
/// is left alone (it would also decide the modes of received files in the download folder); what the
/// node and the hub create in their home is created with an explicit mode instead. Existing homes
/// and databases (from versions that made them 0755 and 0644) are tightened when opened.
/// </summary>
public static class OwnerOnly
{
    public const UnixFileMode FolderMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    public const UnixFileMode FileMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The files SQLite keeps beside a database in WAL mode (and a rollback journal, used before WAL is on).</summary>
    private static readonly string[] DatabaseSideFiles = ["-wal", "-shm", "-journal"];

    /// <summary>Creates <paramref name="path"/> (and missing parents) mode 0700, or takes group and other access away from an existing one.</summary>
    public static void CreateFolder(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return;
        }
        var folder = Directory.CreateDirectory(path, FolderMode);
        Tighten(folder.FullName, FolderMode);
    }

    /// <summary>Creates a new file mode 0600 (on Unix) for writing; fails if one is there.</summary>
    public static FileStream CreateFile(string path, bool useAsync = false)
    {
        var options = new FileStreamOptions
        {
            Mode = System.IO.FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            Options = useAsync ? FileOptions.Asynchronous : FileOptions.None,
        };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileMode;
        }
        return new FileStream(path, options);
    }

    /// <summary>
    /// Makes a SQLite database's file 0600 before SQLite opens it: a missing one is created empty
    /// (SQLite takes a zero-length file as a new database), an existing one and its side files are
    /// tightened. SQLite creates the -wal, -shm and journal files with the database file's mode, so
    /// they are 0600 from their first byte too.
    /// </summary>
    public static void PrepareDatabase(string path)
    {
        CreateFolder(Path.GetDirectoryName(Path.GetFullPath(path))!);
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var options = new FileStreamOptions { Mode = System.IO.FileMode.OpenOrCreate, Access = FileAccess.Write, UnixCreateMode = FileMode };
        using (new FileStream(path, options))
        {
        }
        Tighten(path, FileMode);
        foreach (var suffix in DatabaseSideFiles)
        {
            if (File.Exists(path + suffix))
            {
                Tighten(path + suffix, FileMode);
            }
        }
    }

    private static void Tighten(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows() && File.GetUnixFileMode(path) != mode)
        {
            File.SetUnixFileMode(path, mode);
        }
    }
}
