using Microsoft.Extensions.Logging;
using Parley.Core.Files;
using Parley.Core.Protocol;
using Parley.Node.Links;

namespace Parley.Node.Files;

/// <summary>
/// Starts or resumes receiving an accepted transfer: after accept, a new link, a restart of either
/// side, or a pause for space, it opens the first unfinished file at its last verified block and
/// asks the sender for the rest.
/// </summary>
internal sealed class ReceiveResumer(IncomingFiles incoming, FileLanding landing, TransferRecorder recorder, ILoggerFactory loggerFactory)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger(FileLog.Category);

    public async Task ResumeAsync(PeerSession session, Transfer transfer)
    {
        await transfer.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (transfer.State != TransferState.Active)
            {
                return;
            }
            incoming.Close(transfer, deleteTemp: false);
            await landing.LandQueuedAsync(null, transfer).ConfigureAwait(false);
            // The sender may have missed some "done" notes while the link was down.
            foreach (var (first, count) in FileLanding.Runs([.. transfer.Files.Where(f => f.Done)]))
            {
                session.Send(FrameType.FileDone, new FileDone(transfer.Id, first, count));
            }
            var next = await SkipLandedFilesAsync(transfer).ConfigureAwait(false);
            if (next is null)
            {
                transfer.State = TransferState.Completed;
            }
            else
            {
                var opened = incoming.Open(transfer, next);
                transfer.CurrentFile = next.Index;
                transfer.CurrentOffset = opened.Offset;
                FileLog.Resuming(_logger, transfer.ShortId, next.Index, opened.Offset);
                session.Send(FrameType.FileRequest, new FileRequest(transfer.Id, next.Index, opened.Offset));
            }
        }
        catch (IOException e)
        {
            transfer.State = TransferState.Failed;
            transfer.Error = e.Message;
            session.Send(FrameType.TransferCancel, new TransferStop(transfer.Id, "receiver failed: " + e.Message));
        }
        finally
        {
            transfer.Gate.Release();
        }
        if (transfer.IsFinal)
        {
            await recorder.SaveAsync(transfer).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The first file still to receive. A file whose final name was recorded and whose temporary
    /// file is gone was renamed before a crash could record it: it counts as done.
    /// </summary>
    private async Task<TransferFile?> SkipLandedFilesAsync(Transfer transfer)
    {
        foreach (var file in transfer.Files.Where(f => !f.Done))
        {
            if (file.FinalPath is { } landed && !File.Exists(IncomingFiles.TempPath(transfer, file.Index))
                && File.Exists(landed) && new FileInfo(landed).Length == file.Size)
            {
                transfer.MarkDone(file);
                await recorder.SaveFileAsync(transfer, file).ConfigureAwait(false);
                continue;
            }
            return file;
        }
        return null;
    }
}
