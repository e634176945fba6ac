using Parley.Core.Files;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Node.Contacts;
using Parley.Node.Links;

namespace Parley.Node.Files;

/// <summary>
/// The sending side: offers files to a contact, then streams what the receiver asks for ("file i
/// from offset o on") until it reports every file done. The receiver drives; a new request replaces
/// the running stream, which is how resume after a dropped link or a restart works.
/// </summary>
internal sealed class FileSender(
    TransferBook book,
    TransferRecorder recorder,
    TransferFinisher finisher,
    OutgoingStreams streams,
    BlockStreamer streamer,
    ContactBook contacts,
    IPeerSessions sessions,
    TimeProvider time)
{
    /// <summary>
    /// Offers files and folders (structure kept, symbolic links skipped) to a contact. The offer goes
    /// out now if the contact is linked, else when it is.
    /// </summary>
    public async Task<(Transfer Transfer, IReadOnlyList<string> Skipped)> OfferAsync(DeviceId peer, IReadOnlyList<string> paths)
    {
        if (!contacts.IsContact(peer))
        {
            throw new TransferException($"{peer.Short} is not a contact; add or accept it first");
        }
        var (entries, skipped) = OfferCollector.Collect(paths);
        if (entries.Count == 0)
        {
            throw new TransferException(skipped.Count > 0 ? "nothing to send: only links were given" : "nothing to send");
        }
        if (entries.Count > FileOffer.MaxFiles)
        {
            throw new TransferException($"{entries.Count:N0} files is over the limit of {FileOffer.MaxFiles:N0} for one send; send fewer at a time");
        }
        var files = entries.Select((e, i) => new TransferFile(i, e.Relative, e.Size, e.Source) { Modified = e.Modified, Flags = e.Flags }).ToList();
        var transfer = new Transfer(Guid.CreateVersion7(), peer.Compact, outgoing: true, files, time.GetUtcNow()) { State = TransferState.Offered };
        var offer = OfferOf(transfer);
        if (offer.WhyTooLarge() is { } tooLarge)
        {
            throw new TransferException(tooLarge);
        }
        await recorder.AddAsync(transfer).ConfigureAwait(false);
        if (sessions.Session(peer) is { IsOpen: true } session)
        {
            session.Send(FrameType.FileOffer, offer);
        }
        return (transfer, skipped);
    }

    /// <summary>Offers again an offer the peer has not answered (it was offline, or the answer was lost with a link).</summary>
    public static void Reoffer(PeerSession session, Transfer transfer) => session.Send(FrameType.FileOffer, OfferOf(transfer));

    private static FileOffer OfferOf(Transfer transfer) => new(transfer.Id, [.. transfer.Files.Select(f => new OfferEntry(f.Path, f.Size, f.Modified, f.Flags))]);

    public async Task OnAnswerAsync(PeerSession session, Frame frame)
    {
        var answer = frame.Read<OfferAnswer>();
        if (book.With(session.Id, answer.OfferId) is not { Outgoing: true, State: TransferState.Offered } transfer)
        {
            return;
        }
        if (answer.Accepted)
        {
            transfer.State = TransferState.Active;
            await recorder.SaveAsync(transfer).ConfigureAwait(false);
        }
        else
        {
            await finisher.FinishAsync(transfer, TransferState.Rejected, string.IsNullOrEmpty(answer.Reason) ? "rejected" : answer.Reason).ConfigureAwait(false);
        }
    }

    /// <summary>The receiver asks for file i from offset o onwards: (re)start streaming from there.</summary>
    public void OnRequest(PeerSession session, Frame frame)
    {
        var request = frame.Read<FileRequest>();
        if (book.With(session.Id, request.OfferId) is not { Outgoing: true } transfer || transfer.IsFinal)
        {
            return;
        }
        if (request.FileIndex >= transfer.Files.Count || request.Offset > transfer.Files[request.FileIndex].Size)
        {
            throw new ProtocolException($"file request for {request.FileIndex}@{request.Offset} is outside the offer");
        }
        if (transfer.State != TransferState.Active)
        {
            // A request means the receiver accepted, even if its answer was lost with a link.
            transfer.State = TransferState.Active;
            _ = recorder.SaveAsync(transfer);
        }
        var cancellationToken = streams.Replace(transfer.Id);
        _ = Task.Run(() => streamer.StreamAsync(session, transfer, request.FileIndex, request.Offset, cancellationToken), cancellationToken);
    }

    /// <summary>The receiver paused (its disk is full): stop streaming; it asks again when it can take more.</summary>
    public void OnPause(PeerSession session, Frame frame)
    {
        // Advisory: one that does not read is ignored rather than closing the link (as it always was).
        if (TransferStop.TryRead(frame.Payload, out var pause, out _) && book.With(session.Id, pause.OfferId) is { Outgoing: true } transfer)
        {
            streams.Stop(transfer.Id);
        }
    }

    /// <summary>The receiver landed a file; the transfer completes when it has landed them all.</summary>
    public async Task OnDoneAsync(PeerSession session, Frame frame)
    {
        var done = frame.Read<FileDone>();
        if (book.With(session.Id, done.OfferId) is not { Outgoing: true } transfer || transfer.IsFinal || done.FileIndex >= transfer.Files.Count)
        {
            return;
        }
        var marked = transfer.Files.Skip(done.FileIndex).Take(done.Count).Where(transfer.MarkDone).ToList();
        _ = recorder.SaveFilesAsync(transfer, marked);
        if (transfer.AllDone)
        {
            await finisher.FinishAsync(transfer, TransferState.Completed, null).ConfigureAwait(false);
        }
        else if (done.Count > 1 || done.FileIndex % 64 == 0)
        {
            recorder.Announce(transfer);
        }
    }
}
