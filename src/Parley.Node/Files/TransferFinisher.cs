using Microsoft.Extensions.Logging;
using Parley.Core.Files;
using Parley.Core.Protocol;
using Parley.Node.Links;

namespace Parley.Node.Files;

/// <summary>Ends transfers, in either direction: its work stops, partial files go, the peer is told where it must be.</summary>
internal sealed class TransferFinisher(
    TransferBook book,
    TransferRecorder recorder,
    OutgoingStreams streams,
    IncomingFiles incoming,
    IPeerSessions sessions,
    IEnumerable<ITransferEndHandler> endHandlers,
    ILoggerFactory loggerFactory)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger(FileLog.Category);

    /// <summary>Moves a transfer to a final state, stops its work and removes partial files (unless it completed). Once.</summary>
    public async Task FinishAsync(Transfer transfer, TransferState state, string? error)
    {
        await transfer.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (transfer.IsFinal)
            {
                return;
            }
            transfer.State = state;
            transfer.Error = error;
            streams.Stop(transfer.Id);
            incoming.TakeLanding(transfer.Id);
            incoming.Close(transfer, deleteTemp: state != TransferState.Completed);
        }
        finally
        {
            transfer.Gate.Release();
        }
        await recorder.SaveAsync(transfer).ConfigureAwait(false);
        FileLog.Finished(_logger, transfer.ShortId, state, error ?? "");
        foreach (var handler in endHandlers)
        {
            handler.OnTransferEnded(transfer);
        }
    }

    /// <summary>This side cannot go on: the peer is told why, and the transfer fails.</summary>
    public async Task FailAsync(PeerSession session, Transfer transfer, string reason)
    {
        session.Send(FrameType.TransferCancel, new TransferStop(transfer.Id, reason));
        await FinishAsync(transfer, TransferState.Failed, reason).ConfigureAwait(false);
    }

    /// <summary>The user cancels a transfer: the peer is told (now, if it is online), partial files are removed.</summary>
    public async Task<Transfer> CancelAsync(Transfer transfer, string reason = "cancelled")
    {
        if (transfer.IsFinal)
        {
            throw new TransferException($"transfer {transfer.ShortId} is already {transfer.State.ToString().ToLowerInvariant()}");
        }
        sessions.TrySend(transfer, FrameType.TransferCancel, new TransferStop(transfer.Id, reason));
        await FinishAsync(transfer, TransferState.Cancelled, reason).ConfigureAwait(false);
        return transfer;
    }

    /// <summary>TransferCancel from the peer, for a transfer in either direction.</summary>
    public async Task OnCancelAsync(PeerSession session, Frame frame)
    {
        var stop = frame.Read<TransferStop>();
        if (book.With(session.Id, stop.OfferId) is { IsFinal: false } transfer)
        {
            var reason = string.IsNullOrEmpty(stop.Reason) ? "no reason given" : stop.Reason;
            await FinishAsync(transfer, TransferState.Cancelled, "cancelled by the peer: " + reason).ConfigureAwait(false);
        }
    }
}
