using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Parley.Core.Files;

/// <summary>
/// A file's whole-content digest, sent in FileEnd: SHA-256 over the SHA-256 of each block in
/// order (blocks of <see cref="FileBlock.MaxData"/> from the start; an empty file is
/// SHA-256 of nothing). It covers every byte, yet each side hashes the data once, for the block
/// check, instead of twice.
/// </summary>
public sealed class FileDigest : IDisposable
{
    private readonly IncrementalHash _blocks = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    public void AddBlock(ReadOnlySpan<byte> blockHash) => _blocks.AppendData(blockHash);

    public byte[] Finish() => _blocks.GetHashAndReset();

    /// <summary>
    /// Adds the blocks of the first <paramref name="length"/> bytes of a file (a whole number of blocks), as on resume;
    /// each block's hash is also added to <paramref name="hashes"/> when given.
    /// </summary>
    public void AddPrefix(SafeFileHandle file, long length, List<byte[]>? hashes = null)
    {
        if (length == 0)
        {
            return; // the common case (a fresh file) allocates nothing
        }
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(FileBlock.MaxData);
        Span<byte> hash = stackalloc byte[32];
        try
        {
            for (long position = 0; position < length;)
            {
                var block = buffer.AsSpan(0, (int)Math.Min(FileBlock.MaxData, length - position));
                for (var filled = 0; filled < block.Length;)
                {
                    var read = RandomAccess.Read(file, block[filled..], position + filled);
                    filled += read > 0 ? read : throw new IOException("the file is shorter than expected");
                }
                SHA256.HashData(block, hash);
                AddBlock(hash);
                hashes?.Add(hash.ToArray());
                position += block.Length;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public void Dispose() => _blocks.Dispose();
}
