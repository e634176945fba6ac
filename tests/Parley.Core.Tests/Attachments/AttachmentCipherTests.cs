using System.Buffers;
using System.Security.Cryptography;
using Parley.Core.Attachments;
using Parley.Core.Chat;
using Parley.Core.Protocol;

namespace Parley.Core.Tests.Attachments;

public sealed class AttachmentCipherTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("parley-cipher-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(AttachmentCipher.ChunkSize)]
    [InlineData(3 * AttachmentCipher.ChunkSize + 17)]
    public async Task EncryptThenDecrypt_GivesTheSameBytes_AndTheCiphertextIsTheSizeSaid(int size)
    {
        var (reference, cipher, plain) = await EncryptAsync(size);
        Assert.Equal(AttachmentCipher.CiphertextSize(size), new FileInfo(cipher).Length);
        Assert.Equal(SHA256.HashData(File.ReadAllBytes(cipher)), reference.BlobId);
        var output = Path.Combine(_folder, "out");
        Assert.Null(await AttachmentCipher.TryDecryptAsync(cipher, output, reference));
        Assert.Equal(plain, File.ReadAllBytes(output));
    }

    [Fact]
    public async Task Decrypt_AFlippedByte_IsRefused_AndLeavesNoFile()
    {
        var (reference, cipher, _) = await EncryptAsync(200_000);
        var bytes = File.ReadAllBytes(cipher);
        bytes[100_000] ^= 1;
        File.WriteAllBytes(cipher, bytes);
        var output = Path.Combine(_folder, "out");
        Assert.Contains("altered", await AttachmentCipher.TryDecryptAsync(cipher, output, reference), StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task Decrypt_TruncatedToWholeChunks_IsRefused_EvenWithTheSizeCut()
    {
        // Dropping the last chunk and claiming the shorter size still fails: the new last chunk was not sealed as last.
        var (reference, cipher, _) = await EncryptAsync(2 * AttachmentCipher.ChunkSize + 5);
        var cut = File.ReadAllBytes(cipher)[..(int)AttachmentCipher.CiphertextSize(2 * AttachmentCipher.ChunkSize)];
        File.WriteAllBytes(cipher, cut);
        var output = Path.Combine(_folder, "out");
        Assert.NotNull(await AttachmentCipher.TryDecryptAsync(cipher, output, reference with { Size = 2 * AttachmentCipher.ChunkSize }));
        Assert.False(File.Exists(output));
    }

    [Fact]
    public async Task Decrypt_AReferenceWithAnotherSha256_IsRefused()
    {
        var (reference, cipher, _) = await EncryptAsync(1000);
        var output = Path.Combine(_folder, "out");
        Assert.Contains("SHA-256", await AttachmentCipher.TryDecryptAsync(cipher, output, reference with { Sha256 = new byte[32] }), StringComparison.Ordinal);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Reference_RoundTrips_AndInARoomPlaintextIsNeverReadAsAChatMessage()
    {
        var reference = new AttachmentRef(Guid.NewGuid(), DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000), AttachmentRef.VoiceKind, 1234,
            new byte[32], new byte[32], new byte[32], 7000, "voice.ogg", "audio/ogg", [1, 2, 255], [0xFF, 0xD8], "hello");
        var read = WireMessage.Read<AttachmentRef>(new ReadOnlySequence<byte>(reference.ToArray()));
        Assert.Equal(reference.Id, read.Id);
        Assert.Equal([1, 2, 255], read.Waveform);
        Assert.Equal("hello", read.Caption);
        Assert.True(read.IsPlayableVoice);
        Assert.False((read with { DurationMs = 0 }).IsPlayableVoice);
        Assert.False((read with { Waveform = new byte[200] }).IsPlayableVoice);

        var plaintext = RoomAttachment.ToPlaintext(reference);
        Assert.False(WireMessage.TryRead<ChatMessage>(plaintext, out _, out _));
        Assert.True(RoomAttachment.TryRead(plaintext, out var inRoom));
        Assert.Equal(reference.Id, inRoom.Id);
        Assert.False(RoomAttachment.TryRead(new ChatMessage(Guid.NewGuid(), DateTimeOffset.UtcNow, "parley-attach-v1").ToArray(), out _));
    }

    private async Task<(AttachmentRef Reference, string Cipher, byte[] Plain)> EncryptAsync(int size)
    {
        var plain = RandomNumberGenerator.GetBytes(size);
        var source = Path.Combine(_folder, "plain");
        var cipher = Path.Combine(_folder, "cipher");
        File.WriteAllBytes(source, plain);
        File.Delete(cipher);
        var key = RandomNumberGenerator.GetBytes(32);
        var (length, sha, blob) = await AttachmentCipher.EncryptAsync(source, cipher, key);
        return (new AttachmentRef(Guid.NewGuid(), DateTimeOffset.UtcNow, AttachmentRef.FileKind, length, sha, key, blob, 0, "f", "application/octet-stream", [], [], ""), cipher, plain);
    }
}
