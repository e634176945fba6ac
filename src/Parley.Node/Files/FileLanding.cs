using System.Buffers;
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
            if (incoming.TryGetOpen(transfer.Id, out var written))
            {
                LandedMetadata.Stamp(written.Handle, file);
            }
            incoming.Close(transfer, deleteTemp: false);
            var queued = incoming.QueueToLand(transfer, file);
            var next = transfer.Files.Skip(file.Index + 1).FirstOrDefault(f => !f.Done);
            if (LandsNow(queued, file.Size, wasLast: next is null))
            {
                await LandQueuedAsync(session, transfer).ConfigureAwait(false);
            }
            OpenNext(transfer, next);
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
        var data = queue.Where(f => !f.IsFolder).Select(f => IncomingFiles.TempPath(transfer, f.Index)).ToList();
        if (data.Count > 0)
        {
            DiskSync.Sync(data);
        }
        var folders = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in queue)
        {
            file.FinalPath = file.IsFolder ? SafeFolder.PrepareFolder(transfer.Folder!, file.Path, folders) : SafeFolder.PrepareParent(transfer.Folder!, file.Path, folders);
        }
        await recorder.SaveFilesAsync(transfer, queue).ConfigureAwait(false);
        foreach (var file in queue)
        {
            if (!file.IsFolder)
            {
                file.FinalPath = SafeFolder.MoveToFreeName(IncomingFiles.TempPath(transfer, file.Index), file.FinalPath!);
            }
            if (file.IsFolder)
            {
                LandedMetadata.StampFolder(file.FinalPath!, file);
            }
            transfer.MarkDone(file);
        }
        _ = recorder.SaveFilesAsync(transfer, queue);
        // One note per run of consecutive files (a bundle is one run), not one frame per file.
        foreach (var (first, count) in Runs(queue))
        {
            session?.Send(FrameType.FileDone, new FileDone(transfer.Id, first, count));
        }
    }

    /// <summary>Runs of consecutive file indexes: one FileDone each (a count fits a u16).</summary>
    public static IEnumerable<(int First, int Count)> Runs(IReadOnlyList<TransferFile> files)
    {
        for (var i = 0; i < files.Count;)
        {
            var j = i + 1;
            while (j < files.Count && files[j].Index == files[j - 1].Index + 1 && j - i < ushort.MaxValue)
            {
                j++;
            }
            yield return (files[i].Index, j - i);
            i = j;
        }
    }

    /// <summary>
    /// Lands a verified bundle's files (<paramref name="data"/> in their order, folders empty) together: each
    /// written to its temporary file, one sync, names recorded, renamed; then the next file is opened. A kill
    /// at any point resends at most this bundle. Under the transfer's gate. Returns a failure, or null.
    /// </summary>
    public async Task<string?> LandBundleAsync(PeerSession session, Transfer transfer, IReadOnlyList<TransferFile> files, ReadOnlySequence<byte> data)
    {
        var current = files[0];
        try
        {
            incoming.Close(transfer, deleteTemp: false);
            await LandQueuedAsync(session, transfer).ConfigureAwait(false); // what waited before the bundle lands first, in order
            foreach (var file in files)
            {
                current = file;
                var bytes = data.Slice(0, file.Size);
                data = data.Slice(file.Size);
                var temp = IncomingFiles.TempPath(transfer, file.Index);
                if (file.IsFolder)
                {
                    File.Delete(temp); // a resume may have opened one for it: a folder lands without any
                }
                else
                {
                    SmallFileCalls.WriteWhole(temp, bytes, file);
                }
                incoming.QueueToLand(transfer, file);
            }
            await LandQueuedAsync(session, transfer).ConfigureAwait(false);
            OpenNext(transfer, transfer.Files.Skip(files[^1].Index + 1).FirstOrDefault(f => !f.Done));
            return null;
        }
        catch (IOException e) when (DiskFullPause.IsDiskFull(e))
        {
            incoming.TakeLanding(transfer.Id); // unlanded: asked for again on resume
            pause.Pause(transfer, e.Message);
            return null;
        }
        catch (IOException e)
        {
            return $"could not save '{SafeNames.Printable(current.Path)}': {e.Message}";
        }
    }

    /// <summary>Opens the next file to receive from its start, or completes the transfer when none is left.</summary>
    private void OpenNext(Transfer transfer, TransferFile? next)
    {
        if (next is null)
        {
            transfer.State = TransferState.Completed;
            return;
        }
        var opened = incoming.Open(transfer, next);
        transfer.CurrentFile = next.Index;
        transfer.CurrentOffset = 0;
        if (opened.Offset != 0)
        {
            opened.StartOver();
        }
    }
}
