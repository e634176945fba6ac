using System.Runtime.InteropServices;

namespace Parley.Node.Files;

/// <summary>
/// Makes many small received files durable with one call: syncfs(2) flushes the whole file system
/// holding a file, where one fsync per file would cost about half a millisecond each.
/// </summary>
internal static partial class DiskSync
{
    /// <summary>Makes the files durable: fsync for one, one syncfs of their file system for several (fsync each where syncfs fails).</summary>
    public static void Sync(IReadOnlyList<string> files)
    {
        if (files.Count > 1 && OperatingSystem.IsLinux())
        {
            using var any = File.OpenHandle(files[0], FileMode.Open, FileAccess.Read);
            if (SyncFs(any.DangerousGetHandle().ToInt32()) == 0)
            {
                return;
            }
        }
        foreach (var file in files)
        {
            using var handle = File.OpenHandle(file, FileMode.Open, FileAccess.Read);
            RandomAccess.FlushToDisk(handle);
        }
    }

    /// <summary>
    /// Starts writing a just-written range to disk without waiting (sync_file_range, Linux), so the
    /// fsync at the end of a big file has little left to do. A hint: failure is ignored.
    /// </summary>
    public static void StartWriteback(Microsoft.Win32.SafeHandles.SafeFileHandle file, long offset, long length)
    {
        const uint SyncFileRangeWrite = 2;
        if (OperatingSystem.IsLinux())
        {
            _ = SyncFileRange(file.DangerousGetHandle().ToInt32(), offset, length, SyncFileRangeWrite);
        }
    }

#pragma warning disable SYSLIB1054 // see below
    [DllImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    private static extern int SyncFileRange(int fd, long offset, long nbytes, uint flags);
#pragma warning restore SYSLIB1054

    [DllImport("libc", EntryPoint = "syncfs", SetLastError = true)]
#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code for this signature; DllImport of an int function is fine.
    private static extern int SyncFs(int fd);
#pragma warning restore SYSLIB1054
}
