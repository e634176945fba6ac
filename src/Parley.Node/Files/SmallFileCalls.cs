using System.Buffers;
using System.Runtime.InteropServices;
using Parley.Core.Files;

namespace Parley.Node.Files;

/// <summary>
/// The system calls a bundle's small file costs, cut to the necessary ones on 64-bit Linux. Received: open with O_TRUNC,
/// pwrite, futimens, close, and later one renameat2 with RENAME_NOREPLACE. Sent: open, pread, a 1-byte pread that
/// must find the end (the size is unchanged), close. .NET's own calls add an advisory flock and
/// its unlock (FileShare emulation), an ftruncate and an lseek to every open, an fstat to every time stamp, and two
/// lstat to every move (which also leave a window in which a name taken meanwhile is replaced): at 10,000 files that
/// was 8 calls a file of nothing needed. Elsewhere (or where a call is missing) the .NET calls do the same work.
/// </summary>
internal static class SmallFileCalls
{
    private static readonly bool Direct = OperatingSystem.IsLinux() && Environment.Is64BitProcess;

    /// <summary>Writes <paramref name="bytes"/> as the whole of <paramref name="path"/> (replacing a resume's leftover), with the offered time and mode.</summary>
    public static void WriteWhole(string path, ReadOnlySequence<byte> bytes, TransferFile file)
    {
        if (!Direct || file.Flags.HasFlag(OfferFlags.Executable))
        {
            WriteThroughDotNet(path, bytes, file); // executable files are rare: their mode goes the .NET way
            return;
        }
        // O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC: the same on every 64-bit Linux architecture.
        const int Flags = 0x1 | 0x40 | 0x200 | 0x80000;
        var fd = Open(path, Flags, Convert.ToInt32("666", 8));
        if (fd < 0)
        {
            throw Failure("create");
        }
        try
        {
            long position = 0;
            foreach (var segment in bytes)
            {
                for (var span = segment.Span; span.Length > 0;)
                {
                    var written = PWrite(fd, ref MemoryMarshal.GetReference(span), span.Length, position);
                    if (written < 0)
                    {
                        throw Failure("write");
                    }
                    span = span[(int)written..];
                    position += written;
                }
            }
            if (file.Modified > 0)
            {
                // futimens: access time left as it is (UTIME_OMIT), modification time from the sender; a refusal is not a failure.
                const long Omit = (1L << 30) - 2;
                var ms = file.Modified;
                _ = FuTimens(fd, [0, Omit, Math.DivRem(ms, 1000, out var rest), rest * 1_000_000]);
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>Reads the whole of <paramref name="path"/> into <paramref name="data"/>; false when its size is no longer data's (changed since offered).</summary>
    public static bool TryReadWhole(string path, Span<byte> data)
    {
        if (!Direct)
        {
            return ReadThroughDotNet(path, data);
        }
        const int ReadOnlyCloseOnExec = 0x80000;
        var fd = Open(path, ReadOnlyCloseOnExec, 0);
        if (fd < 0)
        {
            throw Failure("open");
        }
        try
        {
            var position = 0;
            while (position < data.Length)
            {
                var read = PRead(fd, ref MemoryMarshal.GetReference(data[position..]), data.Length - position, position);
                if (read < 0)
                {
                    throw Failure("read");
                }
                if (read == 0)
                {
                    return false; // shorter than offered
                }
                position += (int)read;
            }
            byte probe = 0;
            var more = PRead(fd, ref probe, 1, position);
            return more < 0 ? throw Failure("read") : more == 0; // a byte past the offered size: it grew
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>
    /// Renames <paramref name="from"/> to <paramref name="to"/> unless anything (even a dangling link) holds that name,
    /// atomically. True when moved, false when the name is taken; null when this system cannot say (then use File.Move).
    /// </summary>
    public static bool? TryMoveNoReplace(string from, string to)
    {
        if (!Direct)
        {
            return null;
        }
        const int AtCurrentFolder = -100;
        const uint NoReplace = 1;
        const int Exists = 17;
        try
        {
            if (RenameAt2(AtCurrentFolder, from, AtCurrentFolder, to, NoReplace) == 0)
            {
                return true;
            }
        }
        catch (EntryPointNotFoundException)
        {
            return null; // a C library older than renameat2 (glibc 2.28)
        }
        var errno = Marshal.GetLastPInvokeError();
        return errno == Exists ? false
            : errno is 22 or 38 ? null // EINVAL, ENOSYS: this file system or kernel has no RENAME_NOREPLACE
            : throw Failure("rename", errno);
    }

    private static void WriteThroughDotNet(string path, ReadOnlySequence<byte> bytes, TransferFile file)
    {
        using var handle = File.OpenHandle(path, FileMode.Create, FileAccess.Write, FileShare.None);
        long position = 0;
        foreach (var segment in bytes)
        {
            RandomAccess.Write(handle, segment.Span, position);
            position += segment.Length;
        }
        LandedMetadata.Stamp(handle, file);
    }

    private static bool ReadThroughDotNet(string path, Span<byte> data)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (RandomAccess.GetLength(handle) != data.Length)
        {
            return false;
        }
        BlockStreamer.ReadExactly(handle, data, 0);
        return true;
    }

    /// <summary>
    /// An IOException whose HResult carries errno, as .NET's own are (so a full disk is told apart). It names no path:
    /// the caller's message names the file as offered, and may reach the contact.
    /// </summary>
    private static IOException Failure(string what, int? errno = null)
    {
        var code = errno ?? Marshal.GetLastPInvokeError();
        return new IOException($"{what}: {Marshal.GetPInvokeErrorMessage(code)}", code);
    }

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code for these signatures; DllImport is fine.
    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);

    [DllImport("libc", EntryPoint = "pwrite", SetLastError = true)]
    private static extern nint PWrite(int fd, ref byte buffer, nint count, long offset);

    [DllImport("libc", EntryPoint = "pread", SetLastError = true)]
    private static extern nint PRead(int fd, ref byte buffer, nint count, long offset);

    [DllImport("libc", EntryPoint = "futimens", SetLastError = true)]
    private static extern int FuTimens(int fd, long[] times);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);

    [DllImport("libc", EntryPoint = "renameat2", SetLastError = true)]
    private static extern int RenameAt2(int fromFolder, [MarshalAs(UnmanagedType.LPUTF8Str)] string from, int toFolder, [MarshalAs(UnmanagedType.LPUTF8Str)] string to, uint flags);
#pragma warning restore SYSLIB1054
}
