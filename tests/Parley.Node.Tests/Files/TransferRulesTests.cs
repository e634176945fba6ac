using System.Buffers;
using Parley.Core.Files;
using Parley.Core.Protocol;
using Parley.Node.Files;

namespace Parley.Node.Tests.Files;

/// <summary>The Files feature's frame rules, over fake links (no sockets): what a peer may and may not make it do.</summary>
public sealed class TransferRulesTests : IAsyncLifetime
{
    private FilesRig _rig = null!;

    public async Task InitializeAsync() => _rig = await FilesRig.StartAsync();

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    private static Frame FrameOf<T>(FrameType type, T message) where T : IWireMessage<T> => FrameOf(type, message.ToArray());

    private static Frame FrameOf(FrameType type, byte[] payload) => new(type, 0, new ReadOnlySequence<byte>(payload));

    [Fact]
    public async Task OfferThatDoesNotRead_IsRefusedByItsId_AndNotKept()
    {
        var (session, link) = _rig.Sessions.Open(_rig.NewPeer());
        var id = Guid.NewGuid();
        var truncated = new FileOffer(id, [new OfferEntry("a.txt", 1)]).ToArray()[..24];
        await _rig.Feature.OnFrameAsync(session, FrameOf(FrameType.FileOffer, truncated));
        var answer = Assert.Single(link.SentOf<OfferAnswer>(FrameType.OfferAnswer));
        Assert.Equal(id, answer.OfferId);
        Assert.False(answer.Accepted);
        Assert.StartsWith("offer refused: offer header is truncated", answer.Reason, StringComparison.Ordinal);
        Assert.Empty(_rig.Book.All);
    }

    [Fact]
    public async Task Offer_WaitsForThePerson_AsPending()
    {
        var (session, link) = _rig.Sessions.Open(_rig.NewPeer());
        var id = Guid.NewGuid();
        await _rig.Feature.OnFrameAsync(session, FrameOf(FrameType.FileOffer, new FileOffer(id, [new OfferEntry("docs/a.txt", 3)])));
        Assert.True(_rig.Book.TryGet(id, out var transfer));
        Assert.Equal(TransferState.Pending, transfer.State);
        Assert.Same(transfer, Assert.Single(_rig.Transfers.Inserted));
        Assert.Equal(0, link.CountOf(FrameType.OfferAnswer));
    }

    [Fact]
    public async Task FileRequest_BeyondTheFile_IsAProtocolError()
    {
        var peer = _rig.NewPeer();
        var (session, _) = _rig.Sessions.Open(peer);
        var transfer = _rig.Add(peer, outgoing: true, TransferState.Active, 10);
        var error = await Assert.ThrowsAsync<ProtocolException>(() =>
            _rig.Feature.OnFrameAsync(session, FrameOf(FrameType.FileRequest, new FileRequest(transfer.Id, 0, 11))).AsTask());
        Assert.Contains("outside the offer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancel_FromAnotherPeer_LeavesTheTransferAlone()
    {
        var owner = _rig.NewPeer();
        var (stranger, _) = _rig.Sessions.Open(_rig.NewPeer());
        var transfer = _rig.Add(owner, outgoing: true, TransferState.Active, 10);
        await _rig.Feature.OnFrameAsync(stranger, FrameOf(FrameType.TransferCancel, new TransferStop(transfer.Id, "mine now")));
        Assert.Equal(TransferState.Active, transfer.State);
    }

    [Fact]
    public async Task RefusedAnswer_RejectsTheOffer_WithThePeersReason()
    {
        var peer = _rig.NewPeer();
        var (session, _) = _rig.Sessions.Open(peer);
        var transfer = _rig.Add(peer, outgoing: true, TransferState.Offered, 10);
        await _rig.Feature.OnFrameAsync(session, FrameOf(FrameType.OfferAnswer, OfferAnswer.Refuse(transfer.Id, "no thanks")));
        Assert.Equal(TransferState.Rejected, transfer.State);
        Assert.Equal("no thanks", transfer.Error);
        Assert.Equal(1, _rig.Transfers.Updates);
    }

    [Fact]
    public async Task MalformedPause_IsIgnored_WhereMalformedCancelClosesTheLink()
    {
        var (session, _) = _rig.Sessions.Open(_rig.NewPeer());
        await _rig.Feature.OnFrameAsync(session, FrameOf(FrameType.TransferPause, new byte[3]));
        await Assert.ThrowsAsync<ProtocolException>(() => _rig.Feature.OnFrameAsync(session, FrameOf(FrameType.TransferCancel, new byte[3])).AsTask());
    }

    [Fact]
    public async Task Reconnect_ReoffersWhatThePeerHasNotAnswered()
    {
        var peer = _rig.NewPeer();
        var transfer = _rig.Add(peer, outgoing: true, TransferState.Offered, 10, 20);
        var (session, link) = _rig.Sessions.Open(peer);
        await _rig.Feature.OnSessionOpenedAsync(session);
        var offer = Assert.Single(link.SentOf<FileOffer>(FrameType.FileOffer));
        Assert.Equal(transfer.Id, offer.OfferId);
        Assert.Equal([10L, 20L], offer.Files.Select(f => f.Size));
    }
}
