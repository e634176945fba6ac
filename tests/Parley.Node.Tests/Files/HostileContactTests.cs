using System.Text;
using Parley.Core.Files;
using Parley.Core.Protocol;
using Parley.Node.Files;
using Parley.Node.Tests.Security;
using Parley.Testing;
using static Parley.Node.Tests.Files.TransferTestKit;

namespace Parley.Node.Tests.Files;

/// <summary>
/// A contact attacking the Files feature over a real link (its own TLS client, frames written by
/// hand): offers built to be slow to plan, offers reusing another contact's transfer ID, and more
/// offers than anyone answers.
/// </summary>
public sealed class HostileContactTests : IAsyncLifetime
{
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(20);
    private readonly string _inbox = Directory.CreateTempSubdirectory("parley-hostile-contact-").FullName;
    private TestNode _victim = null!;
    private AttackerLink _mallory = null!;

    public async Task InitializeAsync()
    {
        _victim = await TestNode.StartAsync("victim");
        _mallory = await ContactAttacker.ConnectAsync(_victim);
    }

    public async Task DisposeAsync()
    {
        await _mallory.DisposeAsync();
        _mallory.Identity.Dispose();
        await _victim.DisposeAsync();
        Directory.Delete(_inbox, recursive: true);
    }

    [Fact]
    public async Task OfferOf20000CopiesOfOneName_IsPlannedWithinSeconds_WithDistinctSafeNames()
    {
        // Renaming each duplicate by trying " (1)", " (2)", … from the start took about 100 s on the link's receive loop.
        var id = Guid.NewGuid();
        var longName = new string('x', 250) + ".txt";
        OfferEntry[] files = [.. Enumerable.Repeat(new OfferEntry("a.txt", 1), 20_000), .. Enumerable.Repeat(new OfferEntry(longName, 1), 100), new OfferEntry("a (7).txt", 1)];
        await _mallory.SendAsync(FrameType.FileOffer, new FileOffer(id, files));
        Assert.NotNull(await _mallory.RoundTripAsync(Generous));

        var offer = Incoming(_victim, id);
        Assert.Equal(TransferState.Pending, offer.State);
        Assert.Equal(files.Length, offer.Files.Count);
        Assert.Equal(files.Length, offer.Files.Select(f => SafeNames.Fold(f.Path)).Distinct().Count());
        Assert.Equal("a.txt", offer.Files[0].Path);
        Assert.Equal("a (7) (1).txt", offer.Files[^1].Path); // a duplicate of "a.txt" took "a (7).txt" first
        Assert.All(offer.Files, f =>
        {
            Assert.True(SafeNames.TrySanitize(f.Path, out var again, out _) && again == f.Path, f.Path);
            Assert.InRange(Encoding.UTF8.GetByteCount(f.Path), 1, SafeNames.MaxComponentBytes);
        });
    }

    [Fact]
    public async Task AnotherContact_UsingATransfersOfferId_IsRefused_AndTheTransferCompletesUntouched()
    {
        await using var alice = await HandDrivenSender.ConnectAsync(_victim, _inbox);
        var transfer = await alice.OfferAsync(new OfferEntry("doc.txt", 5));
        var id = transfer.Id;

        // Mallory has learnt the ID: every frame a transfer's peer may send, as if the transfer were hers.
        await _mallory.SendAsync(FrameType.FileOffer, new FileOffer(id, [new OfferEntry("doc.txt", 5)]));
        await _mallory.SendAsync(FrameType.FileBlock, new FileBlock(new FileBlockHeader(id, 0, 0, new byte[32]), new("evil!"u8.ToArray())));
        await _mallory.SendAsync(FrameType.FileEnd, new FileEnd(id, 0, new byte[32]));
        await _mallory.SendAsync(FrameType.FileRequest, new FileRequest(id, 0, 0));
        await _mallory.SendAsync(FrameType.FileDone, new FileDone(id, 0));
        await _mallory.SendAsync(FrameType.OfferAnswer, OfferAnswer.Refuse(id, "no"));
        await _mallory.SendAsync(FrameType.TransferPause, new TransferStop(id, "paused by mallory"));
        await _mallory.SendAsync(FrameType.TransferCancel, new TransferStop(id, "cancelled by mallory"));
        var heard = await _mallory.RoundTripAsync(Generous);

        Assert.NotNull(heard);
        var answer = WireMessage.Read<OfferAnswer>(Assert.Single(heard, f => f.Type == FrameType.OfferAnswer).Payload);
        Assert.False(answer.Accepted);
        Assert.DoesNotContain(heard, f => f.Type is FrameType.FileRequest or FrameType.FileDone or FrameType.TransferCancel);
        Assert.True(_victim.Node.Files.All.Single(t => t.Id == id) is { State: TransferState.Active } kept && ReferenceEquals(kept, transfer));
        Assert.Single(alice.Heard(FrameType.FileRequest));

        await alice.SendHonestlyAsync(id, "hello"u8.ToArray());
        await WaitForStateAsync(transfer, TransferState.Completed);
        Assert.Equal("hello", await File.ReadAllTextAsync(Path.Combine(_inbox, "doc.txt")));
    }

    [Fact]
    public async Task OffersBeyondTheWaitingCap_AreRefused_AndNotStored()
    {
        var cap = new TransferOptions().MaxWaitingOffersPerPeer;
        var ids = Enumerable.Range(0, cap + 1).Select(_ => Guid.NewGuid()).ToList();
        foreach (var id in ids)
        {
            await _mallory.SendAsync(FrameType.FileOffer, new FileOffer(id, [new OfferEntry("spam.txt", 1)]));
        }
        var heard = await _mallory.RoundTripAsync(Generous);

        Assert.NotNull(heard);
        var refusal = WireMessage.Read<OfferAnswer>(Assert.Single(heard, f => f.Type == FrameType.OfferAnswer).Payload);
        Assert.Equal((ids[^1], false), (refusal.OfferId, refusal.Accepted));
        Assert.Contains("already waiting for an answer", refusal.Reason, StringComparison.Ordinal);
        Assert.Equal(cap, _victim.Node.Files.All.Count(t => t.State == TransferState.Pending));
        Assert.DoesNotContain(_victim.Node.Files.All, t => t.Id == ids[^1]);
    }
}
