using System.Runtime.InteropServices;

namespace Parley.Node.Files;

/// <summary>
/// Makes many small received files durable with one call: syncfs(2) flushes the whole file system
/// holding a file, where one fsync per file would cost about half a millisecond each.
/// </summary>
internal static partial class DiskSync
{
    /// <summary>Flushes the file system holding <paramref name="anyFileOnIt"/>; falls back to fsync of that file.</summary>
    public static void SyncFileSystemOf(string anyFileOnIt)
    {
        using var handle = File.OpenHandle(anyFileOnIt, FileMode.Open, FileAccess.Read);
        if (!OperatingSystem.IsLinux() || SyncFs(handle.DangerousGetHandle().ToInt32()) != 0)
        {
            RandomAccess.FlushToDisk(handle);
        }
    }

    [DllImport("libc", EntryPoint = "syncfs", SetLastError = true)]
#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code for this signature; DllImport of an int function is fine.
    private static extern int SyncFs(int fd);
#pragma warning restore SYSLIB1054
}
