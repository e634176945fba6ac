using Parley.Core.Files;
using Parley.Core.Protocol;
using Parley.Node.Links;

namespace Parley.Node.Files;

/// <summary>
/// Lands verified files: makes their data durable, records their final names, renames them into
/// place and tells the sender. Small files wait for companions so one file-system sync lands many.
/// </summary>
internal sealed class FileLanding(IncomingFiles incoming, TransferRecorder recorder, DiskFullPause pause)
{
    /// <summary>Small files wait for this many companions before one file-system sync lands them all. 256.</summary>
    public const int Batch = 256;

    /// <summary>A file at least this big lands at once, with its own fsync. 4 MiB.</summary>
    public const long AloneBytes = 4L << 20;

    /// <summary>Whether the queue lands now: it is full, the file just queued is big, or nothing follows it.</summary>
    public static bool LandsNow(int queued, long fileSize, bool wasLast) => wasLast || fileSize >= AloneBytes || queued >= Batch;

    /// <summary>
    /// A file passed its checks: queue it to land (landing the queue if <see cref="LandsNow"/>), then
    /// open the next file. Under the transfer's gate. Returns a failure, or null.
    /// </summary>
    public async Task<string?> LandAsync(PeerSession session, Transfer transfer, TransferFile file)
    {
        try
        {
            incoming.Close(transfer, deleteTemp: false);
            var queued = incoming.QueueToLand(transfer, file);
            var next = transfer.Files.Skip(file.Index + 1).FirstOrDefault(f => !f.Done);
            if (LandsNow(queued, file.Size, wasLast: next is null))
            {
                await LandQueuedAsync(session, transfer).ConfigureAwait(false);
            }
            if (next is null)
            {
                transfer.State = TransferState.Completed;
                return null;
            }
            var opened = incoming.Open(transfer, next);
            transfer.CurrentFile = next.Index;
            transfer.CurrentOffset = 0;
            if (opened.Offset != 0)
            {
                opened.StartOver();
            }
            return null;
        }
        catch (IOException e) when (DiskFullPause.IsDiskFull(e))
        {
            pause.Pause(transfer, e.Message);
            return null;
        }
        catch (IOException e)
        {
            return $"could not save '{SafeNames.Printable(file.Path)}': {e.Message}";
        }
    }

    /// <summary>
    /// Lands every queued file of a transfer: one sync makes their data durable, their final names
    /// are recorded (so a crash during the renames is recovered, not received twice), then each is
    /// renamed to a free name and the sender told (when <paramref name="session"/> is given). Under the gate.
    /// </summary>
    public async Task LandQueuedAsync(PeerSession? session, Transfer transfer)
    {
        var queue = incoming.TakeLanding(transfer.Id);
        if (queue.Count == 0)
        {
            return;
        }
        DiskSync.Sync([.. queue.Select(f => IncomingFiles.TempPath(transfer, f.Index))]);
        var folders = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in queue)
        {
            file.FinalPath = SafeFolder.PrepareParent(transfer.Folder!, file.Path, folders);
        }
        await Task.WhenAll(queue.Select(f => recorder.SaveFileAsync(transfer, f))).ConfigureAwait(false);
        foreach (var file in queue)
        {
            file.FinalPath = SafeFolder.MoveToFreeName(IncomingFiles.TempPath(transfer, file.Index), file.FinalPath!);
            transfer.MarkDone(file);
            _ = recorder.SaveFileAsync(transfer, file);
            session?.Send(FrameType.FileDone, new FileDone(transfer.Id, file.Index));
        }
    }
}
