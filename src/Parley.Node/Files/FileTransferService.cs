using Parley.Core.Files;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Node.Links;

namespace Parley.Node.Files;

/// <summary>
/// File and folder transfer with consent, per-block verification and resume, as the node and its
/// callers see it: the frames it owns go to the side they concern, and what a person does (send,
/// accept, reject, cancel, settings) goes to the part that does it. The receiver drives: after
/// accepting it asks for "file i from offset o, and every file after it"; the sender streams blocks
/// in order (bulk priority, so chat overtakes them); the receiver verifies each block's SHA-256,
/// writes it to a temporary file, checks the whole-file digest, syncs and renames. After a dropped
/// link or a restart of either side it asks again from the last whole block in its temporary file.
/// Sending: <see cref="FileSender"/>, <see cref="BlockStreamer"/>. Receiving: <see cref="FileReceiver"/>,
/// <see cref="BlockReceiver"/>, <see cref="ReceiveResumer"/>, <see cref="FileLanding"/>, <see cref="DiskFullPause"/>.
/// </summary>
public sealed class FileTransferService : IPeerFeature, INodeService
{
    /// <summary>Finished transfers loaded at start, for listing (unfinished ones are always loaded). 200.</summary>
    private const int RecentFinished = 200;
    private readonly TransferBook _book;
    private readonly ITransferStore _store;
    private readonly FileSender _sender;
    private readonly FileReceiver _receiver;
    private readonly BlockReceiver _blocks;
    private readonly ReceiveResumer _resumer;
    private readonly TransferFinisher _finisher;
    private readonly OutgoingStreams _streams;
    private readonly IncomingFiles _incoming;
    private readonly FileLanding _landing;
    private readonly FileSettings _settings;
    private readonly ReceivePipeline _pipeline;

    internal FileTransferService(TransferBook book, ITransferStore store, FileSender sender, FileReceiver receiver, BlockReceiver blocks,
        ReceiveResumer resumer, TransferFinisher finisher, OutgoingStreams streams, IncomingFiles incoming, FileLanding landing, FileSettings settings,
        ReceivePipeline pipeline)
    {
        _pipeline = pipeline;
        _book = book;
        _store = store;
        _sender = sender;
        _receiver = receiver;
        _blocks = blocks;
        _resumer = resumer;
        _finisher = finisher;
        _streams = streams;
        _incoming = incoming;
        _landing = landing;
        _settings = settings;
    }

    public IReadOnlyList<FrameSpec> Frames => FileFrames.Specs;

    /// <summary>Every transfer and offer this node knows, newest first.</summary>
    public IReadOnlyList<Transfer> All => _book.All;

    /// <summary>File data accepted since start, resends included: what resume tests compare with file sizes.</summary>
    public long ReceivedBlockBytes => _blocks.ReceivedBytes;

    /// <summary>Bundles of small files received since start (tests: a folder of small files travels in few frames).</summary>
    public long ReceivedBundles => _blocks.ReceivedBundles;

    /// <summary>Loads stored transfers: unfinished ones continue when their peer is linked again.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var transfer in await _store.LoadTransfersAsync(RecentFinished).ConfigureAwait(false))
        {
            _book.Add(transfer);
        }
    }

    /// <summary>Stops streams and closes files; verified files waiting to land land now, else the next start finds and resumes them.</summary>
    public async Task StopAsync()
    {
        _streams.StopAll();
        foreach (var transfer in _book.Unordered)
        {
            _incoming.Close(transfer, deleteTemp: false);
            try
            {
                await _landing.LandQueuedAsync(null, transfer).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or Microsoft.Data.Sqlite.SqliteException)
            {
                // Left as verified temporary files: the next start finds and resumes them.
            }
        }
    }

    public async ValueTask OnFrameAsync(PeerSession session, Frame frame)
    {
        switch (frame.Type)
        {
            case FrameType.FileOffer: await _receiver.OnOfferAsync(session, frame).ConfigureAwait(false); break;
            case FrameType.OfferAnswer: await _sender.OnAnswerAsync(session, frame).ConfigureAwait(false); break;
            case FrameType.FileRequest: _sender.OnRequest(session, frame); break;
            case FrameType.FileBlock or FrameType.FileEnd or FrameType.FileBundle: await _pipeline.EnqueueAsync(session, frame).ConfigureAwait(false); break;
            case FrameType.FileDone: await _sender.OnDoneAsync(session, frame).ConfigureAwait(false); break;
            case FrameType.TransferCancel: await _finisher.OnCancelAsync(session, frame).ConfigureAwait(false); break;
            case FrameType.TransferPause: _sender.OnPause(session, frame); break;
            default: throw new ProtocolException($"unexpected {frame.Type} frame");
        }
    }

    /// <summary>A transfer moving data holds the link: its blocks and requests are in flight on it.</summary>
    public bool HoldsLink(DeviceId peer) => _book.UnfinishedWith(peer).Any(t => t.State == TransferState.Active);

    /// <summary>The peer is linked (again): re-offer what it has not answered, ask again for what is still coming.</summary>
    public async Task OnSessionOpenedAsync(PeerSession session)
    {
        foreach (var transfer in _book.UnfinishedWith(session.Id))
        {
            if (transfer.Outgoing && transfer.State == TransferState.Offered)
            {
                FileSender.Reoffer(session, transfer);
            }
            else if (!transfer.Outgoing && transfer.State == TransferState.Active)
            {
                await _resumer.ResumeAsync(session, transfer).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc cref="FileSender.OfferAsync"/>
    public Task<(Transfer Transfer, IReadOnlyList<string> Skipped)> OfferAsync(DeviceId peer, IReadOnlyList<string> paths) => _sender.OfferAsync(peer, paths);

    /// <inheritdoc cref="FileReceiver.AcceptAsync"/>
    public Task<Transfer> AcceptAsync(Transfer transfer, string? folder) => _receiver.AcceptAsync(transfer, folder);

    public Task<Transfer> RejectAsync(Transfer transfer) => _receiver.RejectAsync(transfer);

    /// <inheritdoc cref="TransferFinisher.CancelAsync"/>
    public Task<Transfer> CancelAsync(Transfer transfer, string reason = "cancelled") => _finisher.CancelAsync(transfer, reason);

    /// <inheritdoc cref="TransferBook.Find"/>
    public Transfer Find(string prefix) => _book.Find(prefix);

    /// <inheritdoc cref="FileSettings.DownloadFolderAsync"/>
    public Task<string> DownloadFolderAsync() => _settings.DownloadFolderAsync();

    public Task SetDownloadFolderAsync(string folder) => _settings.SetDownloadFolderAsync(folder);

    public Task<bool> AutoAcceptAsync(DeviceId peer) => _settings.AutoAcceptAsync(peer);

    /// <inheritdoc cref="FileSettings.AutoAcceptPeersAsync"/>
    public Task<IReadOnlyList<DeviceId>> AutoAcceptPeersAsync() => _settings.AutoAcceptPeersAsync();

    public Task SetAutoAcceptAsync(DeviceId peer, bool enabled) => _settings.SetAutoAcceptAsync(peer, enabled);
}
