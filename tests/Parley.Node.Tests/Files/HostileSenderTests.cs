using System.Buffers;
using System.Buffers.Binary;
using Parley.Core.Links;
using Parley.Core.Files;
using Parley.Core.Protocol;
using Parley.Node.Files;
using static Parley.Node.Tests.Files.TransferTestKit;

namespace Parley.Node.Tests.Files;

/// <summary>A contact whose node lies: each test sends by hand what a real sender never would.</summary>
public sealed class HostileSenderTests : IAsyncLifetime
{
    private readonly string _inbox = Directory.CreateTempSubdirectory("parley-hostile-").FullName;
    private TestNode _bob = null!;
    private HandDrivenSender _mallory = null!;

    public async Task InitializeAsync()
    {
        _bob = await TestNode.StartAsync("bob");
        _mallory = await HandDrivenSender.ConnectAsync(_bob, _inbox);
    }

    public async Task DisposeAsync()
    {
        await _mallory.DisposeAsync();
        await _bob.DisposeAsync();
        Directory.Delete(_inbox, recursive: true);
    }

    private Task<Transfer> OfferAsync(params OfferEntry[] files) => _mallory.OfferAsync(files);

    private List<byte[]> Heard(FrameType type) => _mallory.Heard(type);

    private static byte[] Block(Guid offer, int index, long offset, byte[] data, byte[]? claimedHash = null) =>
        HandDrivenSender.Block(offer, index, offset, data, claimedHash);

    private PeerLink Link => _mallory.Link;

    [Fact]
    public async Task BlockWithWrongHash_FailsTheTransfer_AndLeavesNoFile()
    {
        var transfer = await OfferAsync(new OfferEntry("doc.txt", 5));
        await Link.SendBulkAsync(FrameType.FileBlock, Block(transfer.Id, 0, 0, "hello"u8.ToArray(), claimedHash: new byte[32]));
        await WaitForStateAsync(transfer, TransferState.Failed);
        Assert.Contains("failed its SHA-256 check", transfer.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_inbox));
        await Wait.UntilAsync(() => Heard(FrameType.TransferCancel).Count == 1, "the cancel with the reason");
    }

    /// <summary>A bundle (two files after its head), with the hashes claimed as given or the true ones.</summary>
    private static byte[] Bundle(Guid offer, int first, byte[][] files, byte[]?[]? claimed = null)
    {
        var entries = files.Select((f, i) => new BundledFile(f.Length, claimed?[i] ?? System.Security.Cryptography.SHA256.HashData(f))).ToList();
        var head = FileBundle.HeadSize + entries.Count * FileBundle.EntrySize;
        var frame = new byte[head + files.Sum(f => f.Length)];
        FileBundle.WriteHead(frame, offer, first, entries);
        var at = head;
        foreach (var file in files)
        {
            file.CopyTo(frame, at);
            at += file.Length;
        }
        return frame;
    }

    [Theory]
    [InlineData("hash", "failed its SHA-256 check")]
    [InlineData("size", "does not match the offer")]
    [InlineData("past the end", "past the offer's last file")]
    public async Task BundleThatLies_FailsTheTransfer_AndLeavesNoFile(string lie, string reason)
    {
        var transfer = await OfferAsync(new OfferEntry("a.txt", 5), new OfferEntry("b.txt", 3));
        var frame = lie switch
        {
            "hash" => Bundle(transfer.Id, 0, ["hello"u8.ToArray(), "abc"u8.ToArray()], [null, new byte[32]]),
            "size" => Bundle(transfer.Id, 0, ["hello"u8.ToArray(), "abcd"u8.ToArray()]),
            _ => Bundle(transfer.Id, 0, ["hello"u8.ToArray(), "abc"u8.ToArray(), "xyz"u8.ToArray()]),
        };
        await Link.SendBulkAsync(FrameType.FileBundle, frame);
        await WaitForStateAsync(transfer, TransferState.Failed);
        Assert.Contains(reason, transfer.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_inbox));
    }

    [Fact]
    public async Task HonestBundle_LandsBothFiles()
    {
        var transfer = await OfferAsync(new OfferEntry("a.txt", 5), new OfferEntry("b.txt", 3));
        await Link.SendBulkAsync(FrameType.FileBundle, Bundle(transfer.Id, 0, ["hello"u8.ToArray(), "abc"u8.ToArray()]));
        await WaitForStateAsync(transfer, TransferState.Completed);
        Assert.Equal("hello", await File.ReadAllTextAsync(Path.Combine(_inbox, "a.txt")));
        Assert.Equal("abc", await File.ReadAllTextAsync(Path.Combine(_inbox, "b.txt")));
    }

    [Fact]
    public async Task MoreBytesThanOffered_FailsTheTransfer()
    {
        var transfer = await OfferAsync(new OfferEntry("small.txt", 3));
        await Link.SendBulkAsync(FrameType.FileBlock, Block(transfer.Id, 0, 0, "too many bytes"u8.ToArray()));
        await WaitForStateAsync(transfer, TransferState.Failed);
        Assert.Contains("more bytes than offered", transfer.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_inbox));
    }

    [Fact]
    public async Task FileEndingShort_FailsTheTransfer()
    {
        var transfer = await OfferAsync(new OfferEntry("lies.txt", 100));
        await Link.SendBulkAsync(FrameType.FileBlock, Block(transfer.Id, 0, 0, "only ten b"u8.ToArray()));
        await Link.SendBulkAsync(FrameType.FileEnd, new FileEnd(transfer.Id, 0, new byte[32]).ToArray());
        await WaitForStateAsync(transfer, TransferState.Failed);
        Assert.Contains("ended at 10 bytes; 100 were offered", transfer.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_inbox));
    }

    [Fact]
    public async Task WrongWholeFileDigest_FailsTheTransfer()
    {
        var transfer = await OfferAsync(new OfferEntry("doc.txt", 5));
        await Link.SendBulkAsync(FrameType.FileBlock, Block(transfer.Id, 0, 0, "hello"u8.ToArray()));
        await Link.SendBulkAsync(FrameType.FileEnd, new FileEnd(transfer.Id, 0, new byte[32]).ToArray());
        await WaitForStateAsync(transfer, TransferState.Failed);
        Assert.Contains("does not match its whole-file SHA-256", transfer.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HonestBlocks_FromAHandDrivenSender_Land()
    {
        var transfer = await OfferAsync(new OfferEntry("doc.txt", 5));
        await _mallory.SendHonestlyAsync(transfer.Id, "hello"u8.ToArray());
        await WaitForStateAsync(transfer, TransferState.Completed);
        Assert.Equal("hello", File.ReadAllText(Path.Combine(_inbox, "doc.txt")));
    }

    [Fact]
    public async Task OfferOfAMillionFiles_IsRefused_WithAReason()
    {
        // Header claiming 10^6 files, followed by far fewer bytes than that many entries need.
        var id = Guid.NewGuid();
        var payload = new byte[28 + 10];
        id.TryWriteBytes(payload);
        BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(16), 1_000_000);
        Link.TrySend(FrameType.FileOffer, payload);
        await Wait.UntilAsync(() => Heard(FrameType.OfferAnswer).Count == 1, "the refusal");
        var answer = Heard(FrameType.OfferAnswer)[0];
        Assert.Equal(0, answer[16]);
        Assert.Contains("1,000,000 files is over the limit of 100,000", System.Text.Encoding.UTF8.GetString(answer, 17, answer.Length - 17), StringComparison.Ordinal);
        Assert.DoesNotContain(_bob.Node.Files.All, t => t.Id == id);
    }

    [Fact]
    public async Task OfferWithAnEscapingName_IsRejected_AndRecordedWithWhy()
    {
        var id = Guid.NewGuid();
        Link.TrySend(FrameType.FileOffer, new FileOffer(id, [new OfferEntry("ok.txt", 1), new OfferEntry("../../etc/cron.d/x", 1)]).ToArray());
        var transfer = await WaitForOfferAsync(_bob, id);
        Assert.Equal(TransferState.Rejected, transfer.State);
        Assert.Contains("'../../etc/cron.d/x': a '..' path component", transfer.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_inbox));
    }
}
