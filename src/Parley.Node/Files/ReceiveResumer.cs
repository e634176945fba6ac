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
            var next = await SkipLandedFilesAsync(transfer).ConfigureAwait(false);
            // The sender may have missed some "done" notes while the link was down; told after the skip, which marks done
            // the files a killed receiver had renamed to their names but not yet recorded.
            foreach (var (first, count) in FileLanding.Runs([.. transfer.Files.Where(f => f.Done)]))
            {
                session.Send(FrameType.FileDone, new FileDone(transfer.Id, first, count));
            }
            if (next is null)
            {
                transfer.State = TransferState.Completed;
            }
            else
            {
                var temp = new FileInfo(IncomingFiles.TempPath(transfer, next.Index));
                var held = temp.Exists ? Math.Min(temp.Length, next.Size) : 0;
                var opened = incoming.Open(transfer, next);
                CountResent(transfer, next, held - opened.Offset);
                transfer.CurrentFile = next.Index;
                transfer.CurrentOffset = opened.Offset;
                FileLog.Resuming(_logger, transfer.ShortId, next.Index, opened.Offset);
                transfer.AskedToResend = true;
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
    /// What this resume asks for again of what this node already held: the part of <paramref name="next"/> cut off at
    /// its last whole block, and every later unfinished file's temporary file (a bundle written but not yet landed, or
    /// files waiting in the landing queue), which the sender streams again from its start. One listing of the
    /// transfer's own temporary files, not a look per file of the offer.
    /// </summary>
    private static void CountResent(Transfer transfer, TransferFile next, long cutOff)
    {
        var prefix = $".parley-{transfer.Id:N}-";
        foreach (var path in Directory.EnumerateFiles(transfer.Folder!, prefix + "*.part"))
        {
            var name = Path.GetFileName(path);
            if (int.TryParse(name.AsSpan(prefix.Length, name.Length - prefix.Length - ".part".Length), out var index)
                && index > next.Index && index < transfer.Files.Count && !transfer.Files[index].Done
                && Math.Min(new FileInfo(path).Length, transfer.Files[index].Size) is > 0 and var bytes)
            {
                transfer.ResentBytes += bytes;
                transfer.ResentFiles++;
            }
        }
        if (cutOff > 0)
        {
            transfer.ResentBytes += cutOff;
            transfer.ResentFiles++;
        }
    }

    /// <summary>
    /// The first file still to receive. A file whose final name was recorded and whose temporary
    /// file is gone was renamed before a crash could record it: it counts as done. So does a folder whose
    /// recorded final folder exists (it has no temporary file); otherwise the resume would start at it and
    /// the files landed after it would come, and land, again.
    /// </summary>
    private async Task<TransferFile?> SkipLandedFilesAsync(Transfer transfer)
    {
        foreach (var file in transfer.Files.Where(f => !f.Done))
        {
            if (file.FinalPath is { } landed && (file.IsFolder ? Directory.Exists(landed) : !File.Exists(IncomingFiles.TempPath(transfer, file.Index))
                && File.Exists(landed) && new FileInfo(landed).Length == file.Size))
            {
                if (file.IsFolder)
                {
                    LandedMetadata.StampFolder(landed, file); // everything in it is before it, landed: the crash may have come before its stamp
                }
                transfer.MarkDone(file);
                await recorder.SaveFileAsync(transfer, file).ConfigureAwait(false);
                continue;
            }
            return file;
        }
        return null;
    }
}
