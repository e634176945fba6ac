using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Parley.Node.Videos;

/// <summary>
/// Opens a file of the shared folder for reading so that it cannot be anything outside the folder:
/// on Linux the path is walked one component at a time from a handle on the folder (<c>openat</c>),
/// each with <c>O_NOFOLLOW</c>, so a symbolic link anywhere below the folder — the file itself or a
/// folder on the way, swapped in after the scan — fails the open instead of being followed, and what
/// opens must be a regular file (not a FIFO or a device). The folder itself may be a link: the user
/// chose it. Errors never name the path: their messages may reach a contact.
/// </summary>
internal static partial class ConfinedFile
{
    /// <summary>Opens <paramref name="relative"/> ('/'-separated, as the scan listed it) under <paramref name="root"/> for reading.</summary>
    /// <exception cref="IOException">A component is a link, missing or unreadable, or the file is not a regular file.</exception>
    public static SafeFileHandle OpenRead(string root, string relative)
    {
        var parts = relative.Split('/');
        if (parts.Any(p => p is "" or "." or ".."))
        {
            throw new IOException("not a path inside the shared folder");
        }
        return OperatingSystem.IsLinux() ? OpenBeneath(root, parts) : OpenChecked(root, parts);
    }

    private static SafeFileHandle OpenBeneath(string root, string[] parts)
    {
        var flags = Flags.Current;
        var folder = Check(OpenAt(AtCurrentFolder, root, flags.ReadOnly | flags.Directory, 0), "the shared folder");
        try
        {
            foreach (var part in parts[..^1])
            {
                var next = Check(OpenAt(folder, part, flags.ReadOnly | flags.Directory | flags.NoFollow, 0), "a folder on the way");
                _ = Close(folder);
                folder = next;
            }
            // O_NONBLOCK: opening a FIFO planted under the name must not wait for a writer.
            var file = new SafeFileHandle(Check(OpenAt(folder, parts[^1], flags.ReadOnly | flags.NoFollow | flags.NonBlock, 0), "the file"), ownsHandle: true);
            if (!IsRegularFile(file))
            {
                file.Dispose();
                throw new IOException("not a regular file");
            }
            return file;
        }
        finally
        {
            _ = Close(folder);
        }
    }

    /// <summary>Elsewhere (no openat here): every component is checked not to be a link, then the file opened. Narrows the window; only Linux closes it.</summary>
    private static SafeFileHandle OpenChecked(string root, string[] parts)
    {
        var path = root;
        foreach (var part in parts)
        {
            path = Path.Combine(path, part);
            if (new FileInfo(path).LinkTarget is not null)
            {
                throw new IOException("a symbolic link is in the way");
            }
        }
        return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
    }

    private static int Check(int fd, string what)
    {
        if (fd >= 0)
        {
            return fd;
        }
        var errno = Marshal.GetLastPInvokeError();
        // ELOOP is what O_NOFOLLOW gives for a link (ENOTDIR for a link where a folder must be, with O_DIRECTORY).
        throw new IOException(errno is ErrnoLoop ? $"{what} is a symbolic link" : $"cannot open {what}: {Marshal.GetPInvokeErrorMessage(errno)}");
    }

    /// <summary>statx(2) for the file type: its layout is the same on every architecture, unlike stat's.</summary>
    private static bool IsRegularFile(SafeFileHandle file)
    {
        const int AtEmptyPath = 0x1000;
        const uint StatxType = 0x1;
        const int ModeOffset = 28;
        var buffer = new byte[256];
        var added = false;
        try
        {
            file.DangerousAddRef(ref added);
            if (Statx(file.DangerousGetHandle().ToInt32(), "", AtEmptyPath, StatxType, buffer) != 0)
            {
                throw new IOException("cannot read the file's type: " + Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
            }
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
        const int TypeMask = 0xF000;
        const int RegularFile = 0x8000;
        return (MemoryMarshal.Read<ushort>(buffer.AsSpan(ModeOffset)) & TypeMask) == RegularFile;
    }

    private const int AtCurrentFolder = -100;
    private const int ErrnoLoop = 40;

    /// <summary>The open(2) flags that differ between Linux architectures (asm-generic against arm and powerpc).</summary>
    private readonly record struct Flags(int ReadOnly, int Directory, int NoFollow, int NonBlock)
    {
        private const int CloseOnExec = 0x80000;

        public static Flags Current { get; } = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.Arm or Architecture.Arm64 or Architecture.Armv6 or Architecture.Ppc64le => new(CloseOnExec | LargeFile(0x20000), 0x4000, 0x8000, 0x800),
            _ => new(CloseOnExec | LargeFile(0x8000), 0x10000, 0x20000, 0x800),
        };

        /// <summary>O_LARGEFILE, which a 32-bit process needs to open a file over 2 GiB (64-bit ones imply it).</summary>
        private static int LargeFile(int flag) => Environment.Is64BitProcess ? 0 : flag;
    }

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code for these signatures; DllImport is fine.
    [DllImport("libc", EntryPoint = "openat", SetLastError = true)]
    private static extern int OpenAt(int folder, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, int mode);

    [DllImport("libc", EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);

    [DllImport("libc", EntryPoint = "statx", SetLastError = true)]
    private static extern int Statx(int folder, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buffer);
#pragma warning restore SYSLIB1054
}
