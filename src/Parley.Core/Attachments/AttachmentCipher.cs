using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Parley.Core.Identity;

namespace Parley.Core.Attachments;

/// <summary>
/// Encrypts an attachment's bytes under its own fresh key: AES-256-GCM over 64 KiB chunks, each with
/// nonce = chunk index (u64, big endian, after 4 zero bytes) and associated data = "parley-attach-v1" |
/// chunk index | last-chunk flag, so chunks cannot be reordered, dropped from the end or padded on. The
/// ciphertext is the chunks in order, each its ciphertext and then its 16-byte tag; an empty file is
/// one empty last chunk. Decrypting also checks the plaintext's SHA-256 against the reference and
/// writes to a temporary file that is deleted unless everything held.
/// </summary>
public static class AttachmentCipher
{
    public const int ChunkSize = 64 * 1024;
    public const int TagSize = 16;
    private static readonly byte[] Label = Encoding.ASCII.GetBytes("parley-attach-v1");

    public static int ChunkCount(long size) => size == 0 ? 1 : (int)((size + ChunkSize - 1) / ChunkSize);

    /// <summary>The ciphertext's length for a plaintext of <paramref name="size"/> bytes.</summary>
    public static long CiphertextSize(long size) => size + (long)ChunkCount(size) * TagSize;

    /// <summary>Encrypts <paramref name="source"/> to <paramref name="target"/>; returns the plaintext's size and SHA-256 and the ciphertext's SHA-256 (its blob ID).</summary>
    public static async Task<(long Size, byte[] Sha256, byte[] CipherSha256)> EncryptAsync(string source, string target, byte[] key, CancellationToken ct = default)
    {
        await using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1, useAsync: true);
        await using var output = OwnerOnly.CreateFile(target, useAsync: true); // the sender's copy, in its home
        var size = input.Length;
        var chunks = ChunkCount(size);
        using var plainHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var cipherHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var aes = new AesGcm(key, TagSize);
        var plain = new byte[ChunkSize];
        var sealedChunk = new byte[ChunkSize + TagSize];
        for (var i = 0; i < chunks; i++)
        {
            var length = (int)Math.Min(ChunkSize, size - (long)i * ChunkSize);
            await input.ReadExactlyAsync(plain.AsMemory(0, length), ct).ConfigureAwait(false);
            plainHash.AppendData(plain, 0, length);
            aes.Encrypt(Nonce(i), plain.AsSpan(0, length), sealedChunk.AsSpan(0, length), sealedChunk.AsSpan(length, TagSize), Associated(i, i == chunks - 1));
            cipherHash.AppendData(sealedChunk, 0, length + TagSize);
            await output.WriteAsync(sealedChunk.AsMemory(0, length + TagSize), ct).ConfigureAwait(false);
        }
        await output.FlushAsync(ct).ConfigureAwait(false);
        return (size, plainHash.GetHashAndReset(), cipherHash.GetHashAndReset());
    }

    /// <summary>
    /// Decrypts the ciphertext at <paramref name="source"/> into a new file <paramref name="temp"/> (the caller renames it
    /// into place), checking every chunk and the whole plaintext's SHA-256; on any failure the file is deleted and the
    /// reason returned. Null on success.
    /// </summary>
    public static async Task<string?> TryDecryptAsync(string source, string temp, AttachmentRef reference, CancellationToken ct = default)
    {
        string? error = "the decryption was interrupted";
        try
        {
            error = await DecryptToAsync(source, temp, reference, ct).ConfigureAwait(false);
            return error;
        }
        finally
        {
            if (error is not null)
            {
                File.Delete(temp);
            }
        }
    }

    private static async Task<string?> DecryptToAsync(string source, string temp, AttachmentRef reference, CancellationToken ct)
    {
        await using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1, useAsync: true);
        if (input.Length != CiphertextSize(reference.Size))
        {
            return $"the attachment's encrypted bytes are {input.Length} long, not the {CiphertextSize(reference.Size)} its message says; refused";
        }
        await using var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, useAsync: true);
        var chunks = ChunkCount(reference.Size);
        using var plainHash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var aes = new AesGcm(reference.Key, TagSize);
        var plain = new byte[ChunkSize];
        var sealedChunk = new byte[ChunkSize + TagSize];
        for (var i = 0; i < chunks; i++)
        {
            var length = (int)Math.Min(ChunkSize, reference.Size - (long)i * ChunkSize);
            await input.ReadExactlyAsync(sealedChunk.AsMemory(0, length + TagSize), ct).ConfigureAwait(false);
            try
            {
                aes.Decrypt(Nonce(i), sealedChunk.AsSpan(0, length), sealedChunk.AsSpan(length, TagSize), plain.AsSpan(0, length), Associated(i, i == chunks - 1));
            }
            catch (AuthenticationTagMismatchException)
            {
                return $"the attachment's bytes were altered (chunk {i} does not decrypt); refused";
            }
            plainHash.AppendData(plain, 0, length);
            await output.WriteAsync(plain.AsMemory(0, length), ct).ConfigureAwait(false);
        }
        if (!CryptographicOperations.FixedTimeEquals(plainHash.GetHashAndReset(), reference.Sha256))
        {
            return "the attachment's bytes do not match its SHA-256; refused";
        }
        await output.FlushAsync(ct).ConfigureAwait(false);
        output.Flush(flushToDisk: true);
        return null;
    }

    private static byte[] Nonce(long chunk)
    {
        var nonce = new byte[12];
        BinaryPrimitives.WriteInt64BigEndian(nonce.AsSpan(4), chunk);
        return nonce;
    }

    private static byte[] Associated(long chunk, bool last)
    {
        var data = new byte[Label.Length + 9];
        Label.CopyTo(data, 0);
        BinaryPrimitives.WriteInt64BigEndian(data.AsSpan(Label.Length), chunk);
        data[^1] = last ? (byte)1 : (byte)0;
        return data;
    }
}
