using Microsoft.Win32.SafeHandles;
using Parley.Core.Files;

namespace Parley.Node.Files;

/// <summary>The file being received for a transfer: its temporary file, write position and running digest.</summary>
internal sealed class IncomingFile(int index, string tempPath, SafeFileHandle handle, FileDigest digest, long offset) : IDisposable
{
    public int Index { get; } = index;

    public string TempPath { get; } = tempPath;

    public SafeFileHandle Handle { get; } = handle;

    public FileDigest Digest { get; } = digest;

    /// <summary>Bytes verified and written so far: where the next block must start.</summary>
    public long Offset { get; set; } = offset;

    /// <summary>
    /// Where to go on in a temporary file of <paramref name="length"/> bytes: its last whole block.
    /// Blocks are written only after their hash checks out and strictly in order, so every whole
    /// block there is verified; only the one cut off mid-write is asked for again.
    /// </summary>
    public static long ResumeOffset(long length, long fileSize) =>
        Math.Min(length / FileBlock.MaxData * FileBlock.MaxData, fileSize);

    /// <summary>Opens (or creates) the temporary file at its last whole block, dropping any part block after it.</summary>
    public static IncomingFile Open(string tempPath, TransferFile file)
    {
        var handle = File.OpenHandle(tempPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        var digest = new FileDigest();
        try
        {
            var length = RandomAccess.GetLength(handle);
            var offset = ResumeOffset(length, file.Size);
            if (length != offset)
            {
                RandomAccess.SetLength(handle, offset);
            }
            digest.AddPrefix(handle, offset);
            return new IncomingFile(file.Index, tempPath, handle, digest, offset);
        }
        catch
        {
            handle.Dispose();
            digest.Dispose();
            throw;
        }
    }

    /// <summary>Empties a stale partial file from an earlier attempt: the sender streams this file from 0.</summary>
    public void StartOver()
    {
        RandomAccess.SetLength(Handle, 0);
        Offset = 0;
        Digest.Finish();
    }

    public void Dispose()
    {
        Handle.Dispose();
        Digest.Dispose();
    }
}
