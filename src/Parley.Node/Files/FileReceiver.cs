using Microsoft.Extensions.Logging;
using Parley.Core.Files;
using Parley.Core.Protocol;
using Parley.Node.Links;

namespace Parley.Node.Files;

/// <summary>
/// The receiving side's decisions: an offer arrives (names sanitized, or refused with the reason),
/// waits for the person (or is accepted at once for an auto-accepted contact), and is accepted into
/// a folder with room for it, or rejected.
/// </summary>
internal sealed class FileReceiver(
    TransferBook book,
    TransferRecorder recorder,
    TransferFinisher finisher,
    ReceiveResumer resumer,
    FileSettings settings,
    TransferOptions options,
    IPeerSessions sessions,
    TimeProvider time,
    ILoggerFactory loggerFactory)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger(FileLog.Category);

    public async Task OnOfferAsync(PeerSession session, Frame frame)
    {
        if (!FileOffer.TryRead(frame.Payload, out var offer, out var error))
        {
            // Refused with the reason rather than closing the link; the offer ID is the first 16 bytes when they are there at all.
            if (FileOffer.TryReadId(frame.Payload, out var badId))
            {
                session.Send(FrameType.OfferAnswer, OfferAnswer.Refuse(badId, "offer refused: " + error));
            }
            return;
        }
        if (book.With(session.Id, offer.OfferId) is { Outgoing: false } known)
        {
            await AnswerAgainAsync(session, known).ConfigureAwait(false);
            return;
        }
        if (book.TryGet(offer.OfferId, out _))
        {
            // Another transfer holds the ID (another peer's, or one of ours): refused, that transfer left alone.
            session.Send(FrameType.OfferAnswer, OfferAnswer.Refuse(offer.OfferId, "offer refused: its ID is in use"));
            return;
        }
        if (book.UnfinishedWith(session.Id).Count(t => t.State == TransferState.Pending) >= options.MaxWaitingOffersPerPeer)
        {
            // Not stored: each waiting offer keeps a row per file until the person answers.
            session.Send(FrameType.OfferAnswer, OfferAnswer.Refuse(offer.OfferId,
                $"offer refused: {options.MaxWaitingOffersPerPeer} of your offers are already waiting for an answer"));
            return;
        }
        // The names are checked before anything is stored: a refused offer is kept as its reason, without its files.
        var planned = SafeNames.Plan([.. offer.Files.Select(f => f.Path)], out error, i => offer.Files[i].IsFolder);
        List<TransferFile> files = planned is null ? [] : offer.Files.Select((f, i) => new TransferFile(i, planned[i], f.Size, null) { Modified = f.Modified, Flags = f.Flags }).ToList();
        var transfer = new Transfer(offer.OfferId, session.Id.Compact, outgoing: false, files, time.GetUtcNow()) { State = TransferState.Pending };
        if (planned is null)
        {
            transfer.State = TransferState.Rejected;
            transfer.Error = error;
            session.Send(FrameType.OfferAnswer, OfferAnswer.Refuse(offer.OfferId, error));
        }
        await recorder.AddAsync(transfer, planned is null ? FilesEvents.Transfer : FilesEvents.Offer).ConfigureAwait(false);
        FileLog.Offered(_logger, transfer.ShortId, session.Id.Short, offer.Files.Count, offer.TotalSize);
        if (planned is not null && await settings.AutoAcceptAsync(session.Id).ConfigureAwait(false))
        {
            try
            {
                await AcceptAsync(transfer, null).ConfigureAwait(false);
            }
            catch (TransferException e)
            {
                await finisher.FinishAsync(transfer, TransferState.Failed, e.Message).ConfigureAwait(false);
                session.Send(FrameType.OfferAnswer, OfferAnswer.Refuse(transfer.Id, e.Message));
            }
        }
    }

    /// <summary>The sender offered again (it did not hear our answer): answer again.</summary>
    private async Task AnswerAgainAsync(PeerSession session, Transfer transfer)
    {
        switch (transfer.State)
        {
            case TransferState.Active:
                session.Send(FrameType.OfferAnswer, OfferAnswer.Accept(transfer.Id));
                await resumer.ResumeAsync(session, transfer).ConfigureAwait(false);
                break;
            case TransferState.Rejected or TransferState.Failed:
                session.Send(FrameType.OfferAnswer, OfferAnswer.Refuse(transfer.Id, transfer.Error ?? "rejected"));
                break;
            case TransferState.Cancelled:
                session.Send(FrameType.TransferCancel, new TransferStop(transfer.Id, transfer.Error ?? "cancelled"));
                break;
        }
    }

    /// <summary>Accepts an incoming offer into <paramref name="folder"/> (default: the download folder), after checking free space.</summary>
    public async Task<Transfer> AcceptAsync(Transfer transfer, string? folder)
    {
        EnsurePending(transfer);
        var target = Path.GetFullPath(folder ?? await settings.DownloadFolderAsync().ConfigureAwait(false));
        Directory.CreateDirectory(target);
        var free = new DriveInfo(target).AvailableFreeSpace;
        if (free < transfer.TotalBytes)
        {
            throw new TransferException($"not enough free space in {target}: the offer needs {Bytes(transfer.TotalBytes)}, {Bytes(free)} are free");
        }
        transfer.Folder = target;
        transfer.State = TransferState.Active;
        await recorder.SaveAsync(transfer).ConfigureAwait(false);
        if (sessions.OpenSessionWith(transfer) is { } session)
        {
            session.Send(FrameType.OfferAnswer, OfferAnswer.Accept(transfer.Id));
            await resumer.ResumeAsync(session, transfer).ConfigureAwait(false);
        }
        return transfer;
    }

    public async Task<Transfer> RejectAsync(Transfer transfer)
    {
        EnsurePending(transfer);
        sessions.TrySend(transfer, FrameType.OfferAnswer, OfferAnswer.Refuse(transfer.Id, "rejected"));
        await finisher.FinishAsync(transfer, TransferState.Rejected, "rejected").ConfigureAwait(false);
        return transfer;
    }

    private static void EnsurePending(Transfer transfer)
    {
        if (transfer.Outgoing || transfer.State != TransferState.Pending)
        {
            throw new TransferException($"transfer {transfer.ShortId} is not an offer waiting for an answer");
        }
    }

    private static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.0} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.0} MiB",
        >= 1L << 10 => $"{bytes / 1024.0:0.0} KiB",
        _ => $"{bytes} B",
    };
}
