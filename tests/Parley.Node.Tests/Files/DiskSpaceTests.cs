using System.Diagnostics;
using Parley.Core.Files;
using Parley.Core.Protocol;
using Parley.Node.Files;
using static Parley.Node.Tests.Files.TransferTestKit;

namespace Parley.Node.Tests.Files;

/// <summary>
/// Free space, on a small tmpfs mounted for the test (needs root, as CI runs): an offer bigger
/// than the free space is refused at accept; a disk that fills up during the transfer pauses it
/// with a clear error, loses nothing, and the transfer resumes by itself once there is room.
/// </summary>
public sealed class DiskSpaceTests : IAsyncLifetime
{
    private readonly string _mount = Directory.CreateTempSubdirectory("parley-tmpfs-").FullName;
    private TestNode _bob = null!;
    private HandDrivenSender _sender = null!;

    public async Task InitializeAsync()
    {
        Run("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", _mount);
        _bob = await TestNode.StartAsync("bob");
        _sender = await HandDrivenSender.ConnectAsync(_bob, _mount);
    }

    public async Task DisposeAsync()
    {
        await _sender.DisposeAsync();
        await _bob.DisposeAsync();
        Run("umount", _mount);
        Directory.Delete(_mount);
    }

    private static void Run(string file, params string[] args)
    {
        using var process = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true })!;
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{file} failed: {error} (this test mounts a tmpfs and needs root)");
    }

    [Fact]
    public async Task OfferBiggerThanFreeSpace_IsRefusedAtAccept()
    {
        var id = Guid.NewGuid();
        _sender.Link.TrySend(FrameType.FileOffer, new FileOffer(id, [new OfferEntry("huge.bin", 50L << 20)]).ToArray());
        var transfer = await WaitForOfferAsync(_bob, id);
        await WaitForStateAsync(transfer, TransferState.Failed);
        Assert.Contains("not enough free space", transfer.Error, StringComparison.Ordinal);
        Assert.Contains("needs 50.0 MiB", transfer.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(_mount));
    }

    [Fact]
    public async Task DiskFilling_Pauses_ThenResumesWhenSpaceReturns()
    {
        var content = new byte[6 << 20];
        new Random(9).NextBytes(content);
        var transfer = await _sender.OfferAsync(new OfferEntry("video.bin", content.Length));
        var filler = Path.Combine(_mount, "filler");
        File.WriteAllBytes(filler, new byte[4 << 20]); // someone else fills the disk after the offer was accepted
        await _sender.SendHonestlyAsync(transfer.Id, content);

        await WaitForStateAsync(transfer, TransferState.Paused);
        Assert.Contains("disk is full", transfer.Error, StringComparison.Ordinal);
        // The first pause may be the receiver's "busy" one (its file lane filled as the blocks came at once).
        await Wait.UntilAsync(() => _sender.Heard(FrameType.TransferPause).Any(p => WireMessage.Read<TransferStop>(p).Reason.Contains("disk is full", StringComparison.Ordinal)),
            "the disk-full pause to reach the sender");
        Assert.False(File.Exists(Path.Combine(_mount, "video.bin")));

        // Asks before the disk filled may be the receiver's "busy" flow control: the one that counts comes after the room.
        var asked = _sender.Heard(FrameType.FileRequest).Count;
        File.Delete(filler);
        await Wait.UntilAsync(() => _sender.Heard(FrameType.FileRequest).Count > asked, "the receiver to ask again once there is room");
        var request = _sender.Heard(FrameType.FileRequest)[asked];
        var offset = System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(request.AsSpan(20));
        Assert.True(offset > 0 && offset % FileBlock.MaxData == 0, $"resumes from a verified block boundary, not {offset}");
        await _sender.SendHonestlyAsync(transfer.Id, content, offset);
        await WaitForStateAsync(transfer, TransferState.Completed);
        Assert.Equal(content, File.ReadAllBytes(Path.Combine(_mount, "video.bin")));
    }
}
