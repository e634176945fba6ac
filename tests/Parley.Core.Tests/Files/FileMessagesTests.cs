using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using Parley.Core.Files;
using Parley.Core.Protocol;

namespace Parley.Core.Tests.Files;

public class FileOfferTests
{
    [Fact]
    public void Write_TryRead_RoundTrips()
    {
        var offer = new FileOffer(Guid.NewGuid(), [new OfferEntry("photos/a.jpg", 123), new OfferEntry("empty", 0), new OfferEntry("ünïcode/名.txt", 1L << 40)]);
        Assert.True(WireMessage.TryRead<FileOffer>(offer.ToArray(), out var decoded, out var error), error);
        Assert.Equal(offer.OfferId, decoded.OfferId);
        Assert.Equal(offer.Files, decoded.Files);
    }

    [Fact]
    public void Write_LaysOutTheDocumentedBytes()
    {
        var id = Guid.NewGuid();
        var expected = new byte[16 + 4 + 8 + 8 + 8 + 1 + 2 + 3];
        id.TryWriteBytes(expected);
        BinaryPrimitives.WriteUInt32BigEndian(expected.AsSpan(16), 1);
        BinaryPrimitives.WriteInt64BigEndian(expected.AsSpan(20), 7);
        BinaryPrimitives.WriteInt64BigEndian(expected.AsSpan(28), 7);
        BinaryPrimitives.WriteInt64BigEndian(expected.AsSpan(36), 1_700_000_000_123);
        expected[44] = (byte)OfferFlags.Executable;
        BinaryPrimitives.WriteUInt16BigEndian(expected.AsSpan(45), 3);
        "a/b"u8.CopyTo(expected.AsSpan(47));
        Assert.Equal(expected, new FileOffer(id, [new OfferEntry("a/b", 7, 1_700_000_000_123, OfferFlags.Executable)]).ToArray());
    }

    [Theory]
    [InlineData((byte)4, 0L)] // a flag nobody defined
    [InlineData((byte)OfferFlags.Folder, 5L)] // a folder with a size
    public void BadFlags_AreRefused(byte flags, long size)
    {
        var bytes = new FileOffer(Guid.NewGuid(), [new OfferEntry("a", size)]).ToArray();
        bytes[44] = flags;
        Assert.False(WireMessage.TryRead<FileOffer>(bytes, out _, out var error));
        Assert.Contains("flags", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TotalThatDisagrees_IsRefused()
    {
        var bytes = new FileOffer(Guid.NewGuid(), [new OfferEntry("a", 10)]).ToArray();
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(20), 11);
        Assert.False(WireMessage.TryRead<FileOffer>(bytes, out _, out var error));
        Assert.Contains("does not match", error, StringComparison.Ordinal);
    }

    [Fact]
    public void NegativeSize_IsRefused()
    {
        var bytes = new FileOffer(Guid.NewGuid(), [new OfferEntry("a", 10)]).ToArray();
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(28), -1);
        Assert.False(WireMessage.TryRead<FileOffer>(bytes, out _, out _));
    }

    [Fact]
    public void TooManyFiles_CannotBeWritten_AndSaysWhy()
    {
        var files = Enumerable.Range(0, FileOffer.MaxFiles + 1).Select(i => new OfferEntry("f", 0)).ToList();
        var offer = new FileOffer(Guid.NewGuid(), files);
        Assert.Contains("send fewer at a time", offer.WhyTooLarge(), StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => offer.ToArray());
    }

    [Fact]
    public void TryReadId_ReadsTheIdOfAnOfferThatDoesNotRead()
    {
        var id = Guid.NewGuid();
        var bytes = new FileOffer(id, [new OfferEntry("a", 1)]).ToArray()[..20];
        Assert.False(WireMessage.TryRead<FileOffer>(bytes, out _, out _));
        Assert.True(FileOffer.TryReadId(new ReadOnlySequence<byte>(bytes), out var read));
        Assert.Equal(id, read);
    }
}

/// <summary>The small transfer messages: the bytes are as docs/protocol.md draws them, and what does not fit is refused.</summary>
public class TransferMessageTests
{
    private static readonly Guid Id = Guid.Parse("0193a1f2-0000-7000-8000-00000000abcd");

    private static byte[] IdAnd(params byte[][] parts) => [.. Id.ToByteArray(), .. parts.SelectMany(p => p)];

    private static byte[] BigEndian32(int value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(bytes, value);
        return bytes;
    }

    private static byte[] BigEndian64(long value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(bytes, value);
        return bytes;
    }

    [Fact]
    public void OfferAnswer_IsIdAcceptedAndReason()
    {
        Assert.Equal(IdAnd([0], "no room"u8.ToArray()), OfferAnswer.Refuse(Id, "no room").ToArray());
        Assert.Equal(IdAnd([1]), OfferAnswer.Accept(Id).ToArray());
        Assert.True(WireMessage.TryRead<OfferAnswer>(IdAnd([0], "no room"u8.ToArray()), out var answer, out _));
        Assert.Equal(OfferAnswer.Refuse(Id, "no room"), answer);
    }

    [Fact]
    public void OfferAnswer_LongReason_IsCutToTheCap()
    {
        var bytes = OfferAnswer.Refuse(Id, new string('é', 1000)).ToArray();
        Assert.Equal(OfferAnswer.MaxSize, bytes.Length);
        Assert.True(WireMessage.TryRead<OfferAnswer>(bytes, out var answer, out _));
        Assert.Equal(new string('é', 128), answer.Reason);
    }

    [Fact]
    public void Reason_ThatIsNotUtf8_ReadsAsNone()
    {
        Assert.True(WireMessage.TryRead<TransferStop>(IdAnd([0xC3]), out var stop, out _));
        Assert.Equal("", stop.Reason);
    }

    [Fact]
    public void FileRequest_IsIdIndexOffset()
    {
        var bytes = IdAnd(BigEndian32(2), BigEndian64(1 << 18));
        Assert.Equal(bytes, new FileRequest(Id, 2, 1 << 18).ToArray());
        Assert.True(WireMessage.TryRead<FileRequest>(bytes, out var request, out _));
        Assert.Equal(new FileRequest(Id, 2, 1 << 18), request);
    }

    [Theory]
    [InlineData(-1, 0)]
    [InlineData(0, -1)]
    public void FileRequest_Negative_IsRefused(int index, long offset) =>
        Assert.False(WireMessage.TryRead<FileRequest>(IdAnd(BigEndian32(index), BigEndian64(offset)), out _, out _));

    [Fact]
    public void FileEnd_IsIdIndexDigest()
    {
        var digest = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var bytes = IdAnd(BigEndian32(3), digest);
        Assert.Equal(bytes, new FileEnd(Id, 3, digest).ToArray());
        Assert.True(WireMessage.TryRead<FileEnd>(bytes, out var end, out _));
        Assert.Equal(digest, end.Digest);
        Assert.False(WireMessage.TryRead<FileEnd>(bytes[..^1], out _, out var error));
        Assert.Contains("expected 52", error, StringComparison.Ordinal);
    }

    [Fact]
    public void FileDone_IsIdIndex()
    {
        Assert.Equal(IdAnd(BigEndian32(7)), new FileDone(Id, 7).ToArray());
        Assert.Equal(IdAnd(BigEndian32(7), [1, 0]), new FileDone(Id, 7, 256).ToArray());
        Assert.Equal(256, WireMessage.Read<FileDone>(IdAnd(BigEndian32(7), [1, 0])).Count);
        Assert.False(WireMessage.TryRead<FileDone>(IdAnd(BigEndian32(7), [0]), out _, out _));
        Assert.False(WireMessage.TryRead<FileDone>(IdAnd(BigEndian32(7), [0, 1]), out _, out _)); // a count of one is written without it
    }

    [Fact]
    public void TransferStop_IsIdAndReason()
    {
        Assert.Equal(IdAnd(Encoding.UTF8.GetBytes("disk full")), new TransferStop(Id, "disk full").ToArray());
        Assert.False(WireMessage.TryRead<TransferStop>(new byte[15], out _, out _));
    }

    [Fact]
    public void FileBlock_IsHeaderThenData_AndTheDataIsASlice()
    {
        var hash = new byte[32];
        hash[0] = 9;
        var bytes = IdAnd(BigEndian32(1), BigEndian64(1 << 18), hash, [1, 2, 3]);
        Assert.Equal(bytes, new FileBlock(new FileBlockHeader(Id, 1, 1 << 18, hash), new ReadOnlySequence<byte>([1, 2, 3])).ToArray());
        Assert.True(WireMessage.TryRead<FileBlock>(bytes, out var block, out _));
        Assert.Equal((Id, 1, 1L << 18), (block.Header.OfferId, block.Header.FileIndex, block.Header.Offset));
        Assert.Equal(hash, block.Header.Hash);
        Assert.Equal([1, 2, 3], block.Data.ToArray());
    }

    [Fact]
    public void FileFrames_CapsAreTheMessagesOwn_AndUnchanged()
    {
        var caps = FileFrames.Specs.ToDictionary(s => s.Type, s => s.MaxPayload);
        Assert.Equal(ProtocolLimits.MaxPayload, caps[FrameType.FileOffer]);
        Assert.Equal(16 + 1 + 256, caps[FrameType.OfferAnswer]);
        Assert.Equal(16 + 4 + 8, caps[FrameType.FileRequest]);
        Assert.Equal(60 + (256 * 1024), caps[FrameType.FileBlock]);
        Assert.Equal(16 + 4 + 32, caps[FrameType.FileEnd]);
        Assert.Equal(16 + 4 + 2, caps[FrameType.FileDone]);
        Assert.Equal(16 + 4 + 2 + (256 * 36) + (256 * 1024), caps[FrameType.FileBundle]);
        Assert.Equal(16 + 256, caps[FrameType.TransferCancel]);
        Assert.Equal(16 + 256, caps[FrameType.TransferPause]);
    }

    [Fact]
    public void EveryFileMessage_RandomBytes_NeverThrows()
    {
        var random = new Random(14);
        for (var i = 0; i < 5_000; i++)
        {
            var bytes = new byte[random.Next(0, 120)];
            random.NextBytes(bytes);
            var payload = new ReadOnlySequence<byte>(bytes);
            FileOffer.TryRead(payload, out _, out _);
            OfferAnswer.TryRead(payload, out _, out _);
            FileRequest.TryRead(payload, out _, out _);
            FileBlock.TryRead(payload, out _, out _);
            FileEnd.TryRead(payload, out _, out _);
            FileDone.TryRead(payload, out _, out _);
            TransferStop.TryRead(payload, out _, out _);
        }
    }
}
