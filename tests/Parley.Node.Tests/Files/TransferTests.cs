using Parley.Core.Files;
using Parley.Core.Protocol;
using Parley.Node.Files;
using static Parley.Node.Tests.Files.TransferTestKit;

namespace Parley.Node.Tests.Files;

/// <summary>Transfers between two real nodes in this process over loopback.</summary>
public sealed class TransferTests : TwoContacts
{
    private readonly string _work = Directory.CreateTempSubdirectory("parley-xfer-").FullName;

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    private string Inbox => Path.Combine(_work, "inbox");

    [Fact]
    public async Task Folder_WithNestedEmptyAndLargeFiles_ArrivesVerified_AfterAccept()
    {
        var folder = Path.Combine(_work, "photos");
        RandomFile(Path.Combine(folder, "big.bin"), 5_000_000, seed: 2);
        RandomFile(Path.Combine(folder, "2026", "march", "a.jpg"), 300_000, seed: 3);
        File.WriteAllBytes(Path.Combine(folder, "empty.txt"), []);
        var (sent, skipped) = await Alice.Node.Files.OfferAsync(Bob.Id, [folder]);
        Assert.Empty(skipped);
        var offer = await WaitForOfferAsync(Bob, sent.Id);
        Assert.Equal(TransferState.Pending, offer.State);
        Assert.False(Directory.Exists(Inbox)); // nothing touches the disk before acceptance
        Assert.Equal(["photos/2026/march/a.jpg", "photos/2026/march", "photos/2026", "photos/big.bin", "photos/empty.txt", "photos"], offer.Files.Select(f => f.Path));
        Assert.Equal(3, offer.Files.Count - offer.FolderCount); // the folder entries carry times; progress counts files

        await Bob.Node.Files.AcceptAsync(offer, Inbox);
        await WaitForStateAsync(sent, TransferState.Completed);
        await WaitForStateAsync(offer, TransferState.Completed);
        foreach (var relative in new[] { "big.bin", "2026/march/a.jpg", "empty.txt" })
        {
            Assert.Equal(Sha256(Path.Combine(folder, relative)), Sha256(Path.Combine(Inbox, "photos", relative)));
        }
        AssertNoPartialFiles(Inbox);
        Assert.Equal(sent.TotalBytes, Bob.Node.Files.ReceivedBlockBytes);
    }

    [Fact]
    public async Task Folder_OfManySmallFiles_TravelsInBundles_WithTimesModesAndEmptyFolders()
    {
        var folder = Path.Combine(_work, "tree");
        var old = new DateTime(2021, 5, 4, 3, 2, 1, 123, DateTimeKind.Utc);
        for (var i = 0; i < 1500; i++)
        {
            var file = RandomFile(Path.Combine(folder, $"d{i % 7}", $"f{i:D4}.txt"), 200 + i % 1900, seed: i);
            File.SetLastWriteTimeUtc(file, old.AddMinutes(i));
        }
        RandomFile(Path.Combine(folder, "d3", "big.bin"), 700_000, seed: 9); // blocks, between bundles
        var script = RandomFile(Path.Combine(folder, "run.sh"), 40, seed: 10);
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead);
        Directory.CreateDirectory(Path.Combine(folder, "empty", "deeper"));
        Directory.SetLastWriteTimeUtc(Path.Combine(folder, "empty", "deeper"), old);
        File.CreateSymbolicLink(Path.Combine(folder, "d1", "link"), "/etc/passwd");
        var bundlesBefore = Bob.Node.Files.ReceivedBundles;

        var (sent, skipped) = await Alice.Node.Files.OfferAsync(Bob.Id, [folder]);
        Assert.Equal([Path.Combine(folder, "d1", "link")], skipped);
        var offer = await WaitForOfferAsync(Bob, sent.Id);
        await Bob.Node.Files.AcceptAsync(offer, Inbox);
        await WaitForStateAsync(sent, TransferState.Completed);
        await WaitForStateAsync(offer, TransferState.Completed);

        var received = Path.Combine(Inbox, "tree");
        foreach (var source in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).Where(f => new FileInfo(f).LinkTarget is null))
        {
            var copy = Path.Combine(received, Path.GetRelativePath(folder, source));
            Assert.Equal(Sha256(source), Sha256(copy));
            Assert.Equal(File.GetLastWriteTimeUtc(source), File.GetLastWriteTimeUtc(copy), TimeSpan.FromMilliseconds(1));
        }
        Assert.True((File.GetUnixFileMode(Path.Combine(received, "run.sh")) & UnixFileMode.UserExecute) != 0);
        Assert.True((File.GetUnixFileMode(Path.Combine(received, "d0", "f0000.txt")) & UnixFileMode.UserExecute) == 0);
        Assert.True(Directory.Exists(Path.Combine(received, "empty", "deeper")));
        Assert.Equal(old, Directory.GetLastWriteTimeUtc(Path.Combine(received, "empty", "deeper")), TimeSpan.FromMilliseconds(1));
        Assert.False(Path.Exists(Path.Combine(received, "d1", "link")));
        AssertNoPartialFiles(Inbox);
        // 1,502 small files and a folder in a handful of frames (256 files a bundle), not a block and an end each.
        Assert.InRange(Bob.Node.Files.ReceivedBundles - bundlesBefore, 6, 12);
    }

    [Fact]
    public async Task SameFolderTwice_NeverOverwrites_AddsSuffix()
    {
        var file = RandomFile(Path.Combine(_work, "report.pdf"), 1000);
        foreach (var round in new[] { 0, 1 })
        {
            var (sent, _) = await Alice.Node.Files.OfferAsync(Bob.Id, [file]);
            await Bob.Node.Files.AcceptAsync(await WaitForOfferAsync(Bob, sent.Id), Inbox);
            await WaitForStateAsync(sent, TransferState.Completed);
        }
        Assert.True(File.Exists(Path.Combine(Inbox, "report.pdf")));
        Assert.True(File.Exists(Path.Combine(Inbox, "report (1).pdf")));
    }

    [Fact]
    public async Task Reject_TellsSender_AndWritesNothing()
    {
        var (sent, _) = await Alice.Node.Files.OfferAsync(Bob.Id, [RandomFile(Path.Combine(_work, "x.bin"), 1000)]);
        await Bob.Node.Files.RejectAsync(await WaitForOfferAsync(Bob, sent.Id));
        await WaitForStateAsync(sent, TransferState.Rejected);
        Assert.False(Directory.Exists(Inbox));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Cancel_MidTransfer_FromEitherSide_LeavesNoFile(bool byReceiver)
    {
        var (sent, _) = await Alice.Node.Files.OfferAsync(Bob.Id, [RandomFile(Path.Combine(_work, "big.bin"), 200_000_000)]);
        var received = await WaitForOfferAsync(Bob, sent.Id);
        await Bob.Node.Files.AcceptAsync(received, Inbox);
        await WaitForProgressAsync(received, 0.05);
        await (byReceiver ? Bob.Node.Files.CancelAsync(received) : Alice.Node.Files.CancelAsync(sent));
        await WaitForStateAsync(sent, TransferState.Cancelled);
        await WaitForStateAsync(received, TransferState.Cancelled);
        Assert.Contains(byReceiver ? sent.Error! : received.Error!, s => s == ':'); // "cancelled by the peer: …"
        Assert.False(File.Exists(Path.Combine(Inbox, "big.bin")));
        AssertNoPartialFiles(Inbox);
    }

    [Fact]
    public async Task DroppedLink_Resumes_SendingAtMostOneBlockAgain()
    {
        var source = RandomFile(Path.Combine(_work, "big.bin"), 40_000_000);
        var (sent, _) = await Alice.Node.Files.OfferAsync(Bob.Id, [source]);
        var received = await WaitForOfferAsync(Bob, sent.Id);
        await Bob.Node.Files.AcceptAsync(received, Inbox);
        await WaitForProgressAsync(received, 0.3);
        await Bob.Node.Links.Session(Alice.Id)!.Link.CloseAsync(CloseCode.Normal, "test drops the link");
        await WaitForStateAsync(received, TransferState.Completed);
        await WaitForStateAsync(sent, TransferState.Completed);
        Assert.Equal(Sha256(source), Sha256(Path.Combine(Inbox, "big.bin")));
        Assert.InRange(Bob.Node.Files.ReceivedBlockBytes - sent.TotalBytes, 0, FileBlock.MaxData);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task RestartOfEitherSide_Resumes_WithoutAskingAgain(bool restartReceiver)
    {
        var source = RandomFile(Path.Combine(_work, "big.bin"), 40_000_000);
        var (sent, _) = await Alice.Node.Files.OfferAsync(Bob.Id, [source]);
        var received = await WaitForOfferAsync(Bob, sent.Id);
        await Bob.Node.Files.AcceptAsync(received, Inbox);
        await WaitForProgressAsync(received, 0.3);
        var stopped = await (restartReceiver ? Bob : Alice).RestartAsync();
        // Bytes the receiver took in before the restart (its counter starts again at 0 if it was the one restarted).
        var before = restartReceiver ? stopped.Files.ReceivedBlockBytes : 0;
        var receivedNow = Incoming(Bob, sent.Id);
        var sentNow = Alice.Node.Files.All.Single(t => t.Id == sent.Id);
        await WaitForStateAsync(receivedNow, TransferState.Completed);
        await WaitForStateAsync(sentNow, TransferState.Completed);
        Assert.Equal(Sha256(source), Sha256(Path.Combine(Inbox, "big.bin")));
        var resent = before + Bob.Node.Files.ReceivedBlockBytes - sent.TotalBytes;
        Assert.InRange(resent, 0, FileBlock.MaxData);
    }

    [Fact]
    public async Task ChatMessage_OvertakesARunningTransfer()
    {
        var (sent, _) = await Alice.Node.Files.OfferAsync(Bob.Id, [RandomFile(Path.Combine(_work, "big.bin"), 150_000_000)]);
        var received = await WaitForOfferAsync(Bob, sent.Id);
        await Bob.Node.Files.AcceptAsync(received, Inbox);
        await WaitForProgressAsync(received, 0.05);
        var message = await Alice.Node.Chat.SendAsync(Bob.Id, "still here during the transfer");
        await Wait.UntilAsync(async () => (await Bob.HistoryWith(Alice)).Any(m => m.Id == message.Id), "the chat message");
        Assert.False(received.IsFinal, "the chat message should arrive while the transfer still runs");
        await WaitForStateAsync(sent, TransferState.Completed);
    }

    [Fact]
    public async Task AutoAccept_IsOffByDefault_AndWorksWhenOn()
    {
        Assert.False(await Bob.Node.Files.AutoAcceptAsync(Alice.Id));
        await Bob.Node.Files.SetAutoAcceptAsync(Alice.Id, true);
        await Bob.Node.Files.SetDownloadFolderAsync(Inbox);
        var (sent, _) = await Alice.Node.Files.OfferAsync(Bob.Id, [RandomFile(Path.Combine(_work, "auto.bin"), 5000)]);
        await WaitForStateAsync(sent, TransferState.Completed);
        Assert.True(File.Exists(Path.Combine(Inbox, "auto.bin")));
    }

    [Fact]
    public async Task Offer_ToANonContact_IsRefused()
    {
        using var stranger = Core.Identity.NodeIdentity.CreateEphemeral();
        var error = await Assert.ThrowsAsync<TransferException>(() => Alice.Node.Files.OfferAsync(stranger.DeviceId, [_work]));
        Assert.Contains("not a contact", error.Message, StringComparison.Ordinal);
    }
}
