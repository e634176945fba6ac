using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Parley.Node.Files;

/// <summary>
/// The receiver's files in progress: per transfer, the one file open for writing, and the files
/// verified but not yet landed (synced and renamed), which land in batches.
/// </summary>
internal sealed class IncomingFiles
{
    private readonly ConcurrentDictionary<Guid, IncomingFile> _open = new();
    private readonly ConcurrentDictionary<Guid, List<TransferFile>> _landing = new();

    /// <summary>Where a file is received before it lands: hidden, in the target folder (so the rename stays on one file system).</summary>
    public static string TempPath(Transfer transfer, int index) =>
        Path.Combine(transfer.Folder!, $".parley-{transfer.Id:N}-{index}.part");

    /// <summary>Opens the transfer's next file at its last verified block. Under the transfer's gate.</summary>
    public IncomingFile Open(Transfer transfer, TransferFile file)
    {
        var incoming = IncomingFile.Open(TempPath(transfer, file.Index), file);
        _open[transfer.Id] = incoming;
        return incoming;
    }

    public bool TryGetOpen(Guid transfer, [MaybeNullWhen(false)] out IncomingFile incoming) => _open.TryGetValue(transfer, out incoming);

    /// <summary>Closes the open file; with <paramref name="deleteTemp"/>, removes every unfinished file's temporary file too.</summary>
    public void Close(Transfer transfer, bool deleteTemp)
    {
        if (_open.TryRemove(transfer.Id, out var incoming))
        {
            incoming.Dispose();
        }
        if (deleteTemp && transfer.Folder is not null && !transfer.Outgoing)
        {
            foreach (var file in transfer.Files.Where(f => !f.Done))
            {
                File.Delete(TempPath(transfer, file.Index));
            }
        }
    }

    /// <summary>Adds a verified file to the transfer's landing queue; returns how many wait now.</summary>
    public int QueueToLand(Transfer transfer, TransferFile file)
    {
        var queue = _landing.GetOrAdd(transfer.Id, _ => []);
        queue.Add(file);
        return queue.Count;
    }

    /// <summary>Takes the transfer's landing queue (to land it, or to drop it when the transfer ends).</summary>
    public IReadOnlyList<TransferFile> TakeLanding(Guid transfer) =>
        _landing.TryRemove(transfer, out var queue) ? queue : [];
}
