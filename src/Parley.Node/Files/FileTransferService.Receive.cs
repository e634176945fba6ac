using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Node.Links;

namespace Parley.Node.Files;

public sealed partial class FileTransferService
{
    /// <summary>How often a transfer paused for space checks whether it can go on. 5 s.</summary>
    private static readonly TimeSpan PauseCheckInterval = TimeSpan.FromSeconds(5);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, IncomingFile> _incoming = new();
    private long _receivedBlockBytes;

    /// <summary>File data accepted since start, resends included: what resume tests compare with file sizes.</summary>
    public long ReceivedBlockBytes => Interlocked.Read(ref _receivedBlockBytes);
    private Task? _pauseWatcher;

    /// <summary>The file being received for a transfer: its temporary file, write position and running hash.</summary>
    private sealed class IncomingFile(int index, string tempPath, SafeFileHandle handle, FileDigest digest, long offset) : IDisposable
    {
        public int Index { get; } = index;

        public string TempPath { get; } = tempPath;

        public SafeFileHandle Handle { get; } = handle;

        public FileDigest Digest { get; } = digest;

        public long Offset { get; set; } = offset;

        public void Dispose()
        {
            Handle.Dispose();
            Digest.Dispose();
        }
    }

    private static string TempPath(Transfer transfer, int index) =>
        Path.Combine(transfer.Folder!, $".parley-{transfer.Id:N}-{index}.part");

    private async Task OnOfferAsync(PeerSession session, Frame frame)
    {
        if (!FileOffer.TryDecode(frame.Payload, out var offer, out var error))
        {
            // Refused with the reason; the offer ID is the first 16 bytes when they are there at all.
            if (frame.Length >= 16 && TransferMessages.TryDecode(frame.Payload.Slice(0, 16), false, 0, out var badId, out _, out _))
            {
                session.Link.TrySend(FrameType.OfferAnswer, TransferMessages.Answer(badId, accepted: false, "offer refused: " + error));
            }
            return;
        }
        if (_transfers.TryGetValue(offer!.OfferId, out var known))
        {
            await AnswerAgainAsync(session, known).ConfigureAwait(false);
            return;
        }
        var planned = SafeNames.Plan([.. offer.Files.Select(f => f.Path)], out error);
        var files = offer.Files.Select((f, i) => new TransferFile(i, planned?[i] ?? SafeNames.Printable(f.Path), f.Size, null)).ToList();
        var transfer = new Transfer(offer.OfferId, session.Id.Compact, outgoing: false, files, _time.GetUtcNow()) { State = TransferState.Pending };
        if (planned is null)
        {
            transfer.State = TransferState.Rejected;
            transfer.Error = error;
            session.Link.TrySend(FrameType.OfferAnswer, TransferMessages.Answer(offer.OfferId, accepted: false, error));
        }
        _transfers[transfer.Id] = transfer;
        await _store.InsertTransferAsync(transfer).ConfigureAwait(false);
        FileLog.Offered(_logger, transfer.ShortId, session.Id.Short, files.Count, transfer.TotalBytes);
        _events.Publish(planned is null ? "transfer" : "offer", () => ToJson(transfer));
        if (planned is not null && await AutoAcceptAsync(session.Id).ConfigureAwait(false))
        {
            try
            {
                await AcceptAsync(transfer, null).ConfigureAwait(false);
            }
            catch (TransferException e)
            {
                await FinishAsync(transfer, TransferState.Failed, e.Message).ConfigureAwait(false);
                session.Link.TrySend(FrameType.OfferAnswer, TransferMessages.Answer(transfer.Id, accepted: false, e.Message));
            }
        }
    }

    /// <summary>The sender offered again (it did not hear our answer): answer again.</summary>
    private async Task AnswerAgainAsync(PeerSession session, Transfer transfer)
    {
        switch (transfer.State)
        {
            case TransferState.Active:
                session.Link.TrySend(FrameType.OfferAnswer, TransferMessages.Answer(transfer.Id, accepted: true, ""));
                await ResumeReceivingAsync(session, transfer).ConfigureAwait(false);
                break;
            case TransferState.Rejected or TransferState.Failed:
                session.Link.TrySend(FrameType.OfferAnswer, TransferMessages.Answer(transfer.Id, accepted: false, transfer.Error ?? "rejected"));
                break;
            case TransferState.Cancelled:
                session.Link.TrySend(FrameType.TransferCancel, TransferMessages.Cancel(transfer.Id, transfer.Error ?? "cancelled"));
                break;
        }
    }

    /// <summary>Accepts an incoming offer into <paramref name="folder"/> (default: the download folder), after checking free space.</summary>
    public async Task<Transfer> AcceptAsync(Transfer transfer, string? folder)
    {
        if (transfer.Outgoing || transfer.State != TransferState.Pending)
        {
            throw new TransferException($"transfer {transfer.ShortId} is not an offer waiting for an answer");
        }
        var target = Path.GetFullPath(folder ?? await DownloadFolderAsync().ConfigureAwait(false));
        Directory.CreateDirectory(target);
        var free = new DriveInfo(target).AvailableFreeSpace;
        if (free < transfer.TotalBytes)
        {
            throw new TransferException($"not enough free space in {target}: the offer needs {Bytes(transfer.TotalBytes)}, {Bytes(free)} are free");
        }
        transfer.Folder = target;
        transfer.State = TransferState.Active;
        await SaveAsync(transfer).ConfigureAwait(false);
        if (SessionOf(transfer) is { } session)
        {
            session.Link.TrySend(FrameType.OfferAnswer, TransferMessages.Answer(transfer.Id, accepted: true, ""));
            await ResumeReceivingAsync(session, transfer).ConfigureAwait(false);
        }
        return transfer;
    }

    public async Task<Transfer> RejectAsync(Transfer transfer)
    {
        if (transfer.Outgoing || transfer.State != TransferState.Pending)
        {
            throw new TransferException($"transfer {transfer.ShortId} is not an offer waiting for an answer");
        }
        SessionOf(transfer)?.Link.TrySend(FrameType.OfferAnswer, TransferMessages.Answer(transfer.Id, accepted: false, "rejected"));
        await FinishAsync(transfer, TransferState.Rejected, "rejected").ConfigureAwait(false);
        return transfer;
    }

    /// <summary>
    /// Opens the first unfinished file at its last complete block and asks the sender for the rest.
    /// Blocks are written only after their hash checks out and strictly in order, so every whole
    /// block in the temporary file is verified: at most the one block cut off mid-write is sent again.
    /// </summary>
    private async Task ResumeReceivingAsync(PeerSession session, Transfer transfer)
    {
        await transfer.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (transfer.State != TransferState.Active)
            {
                return;
            }
            CloseIncoming(transfer, deleteTemp: false);
            await LandQueuedAsync(null, transfer).ConfigureAwait(false);
            // The sender may have missed some "done" notes while the link was down.
            foreach (var done in transfer.Files.Where(f => f.Done))
            {
                session.Link.TrySend(FrameType.FileDone, TransferMessages.Done(transfer.Id, done.Index));
            }
            var next = await SkipLandedFilesAsync(transfer).ConfigureAwait(false);
            if (next is null)
            {
                transfer.State = TransferState.Completed;
            }
            else
            {
                var incoming = OpenIncoming(transfer, next);
                transfer.CurrentFile = next.Index;
                transfer.CurrentOffset = incoming.Offset;
                FileLog.Resuming(_logger, transfer.ShortId, next.Index, incoming.Offset);
                session.Link.TrySend(FrameType.FileRequest, TransferMessages.Request(transfer.Id, next.Index, incoming.Offset));
            }
        }
        catch (IOException e)
        {
            transfer.State = TransferState.Failed;
            transfer.Error = e.Message;
            session.Link.TrySend(FrameType.TransferCancel, TransferMessages.Cancel(transfer.Id, "receiver failed: " + e.Message));
        }
        finally
        {
            transfer.Gate.Release();
        }
        if (transfer.IsFinal)
        {
            await SaveAsync(transfer).ConfigureAwait(false);
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
            if (file.FinalPath is { } landed && !File.Exists(TempPath(transfer, file.Index)) && File.Exists(landed) && new FileInfo(landed).Length == file.Size)
            {
                transfer.MarkDone(file);
                await _store.UpdateTransferFileAsync(transfer.Id, file).ConfigureAwait(false);
                continue;
            }
            return file;
        }
        return null;
    }

    private IncomingFile OpenIncoming(Transfer transfer, TransferFile file)
    {
        var temp = TempPath(transfer, file.Index);
        var handle = File.OpenHandle(temp, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        var digest = new FileDigest();
        try
        {
            var length = RandomAccess.GetLength(handle);
            var offset = Math.Min(length / ProtocolLimits.MaxBlockData * ProtocolLimits.MaxBlockData, file.Size);
            if (length != offset)
            {
                RandomAccess.SetLength(handle, offset); // drop the block cut off mid-write
            }
            digest.AddPrefix(handle, offset);
            var incoming = new IncomingFile(file.Index, temp, handle, digest, offset);
            _incoming[transfer.Id] = incoming;
            return incoming;
        }
        catch
        {
            handle.Dispose();
            digest.Dispose();
            throw;
        }
    }

    private void CloseIncoming(Transfer transfer, bool deleteTemp)
    {
        if (_incoming.TryRemove(transfer.Id, out var incoming))
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

    private async Task OnBlockAsync(PeerSession session, Frame frame)
    {
        if (!FileBlockHeader.TryDecode(frame.Payload, out var header, out var data) || data.Length > ProtocolLimits.MaxBlockData)
        {
            throw new ProtocolException("malformed file block");
        }
        if (Lookup(session, header.OfferId) is not { Outgoing: false } transfer)
        {
            return;
        }
        string? failure = null;
        await transfer.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (transfer.State != TransferState.Active || !_incoming.TryGetValue(transfer.Id, out var incoming)
                || header.FileIndex != incoming.Index || header.Offset != incoming.Offset)
            {
                return; // a block from before a pause, resume or cancel: already superseded
            }
            var file = transfer.Files[incoming.Index];
            if (header.Offset + data.Length > file.Size)
            {
                failure = $"the sender sent more bytes than offered for '{SafeNames.Printable(file.Path)}'";
            }
            else if (!HashMatches(data, header.Hash))
            {
                failure = $"block at byte {header.Offset} of '{SafeNames.Printable(file.Path)}' failed its SHA-256 check";
            }
            else if (TryWrite(transfer, incoming, data))
            {
                Interlocked.Add(ref _receivedBlockBytes, data.Length);
                if ((incoming.Offset + data.Length) % WritebackStride == 0)
                {
                    DiskSync.StartWriteback(incoming.Handle, incoming.Offset + data.Length - WritebackStride, WritebackStride);
                }
                incoming.Digest.AddBlock(header.Hash);
                incoming.Offset += data.Length;
                transfer.CurrentOffset = incoming.Offset;
            }
        }
        finally
        {
            transfer.Gate.Release();
        }
        if (failure is not null)
        {
            await FailAsync(session, transfer, failure).ConfigureAwait(false);
        }
    }

    private static bool HashMatches(System.Buffers.ReadOnlySequence<byte> data, byte[] expected)
    {
        Span<byte> actual = stackalloc byte[32];
        if (data.IsSingleSegment)
        {
            SHA256.HashData(data.FirstSpan, actual);
        }
        else
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            foreach (var segment in data)
            {
                hash.AppendData(segment.Span);
            }
            hash.GetHashAndReset(actual);
        }
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    /// <summary>Writes a verified block; a full disk pauses the transfer (nothing is lost) instead of failing it.</summary>
    private bool TryWrite(Transfer transfer, IncomingFile incoming, System.Buffers.ReadOnlySequence<byte> data)
    {
        try
        {
            var position = incoming.Offset;
            // Synchronous: a write into the page cache is quick, and Linux has no true async file I/O here anyway.
            foreach (var segment in data)
            {
                RandomAccess.Write(incoming.Handle, segment.Span, position);
                position += segment.Length;
            }
            return true;
        }
        catch (IOException e) when (IsDiskFull(e))
        {
            PauseForSpace(transfer, e.Message);
            return false;
        }
    }

    private static bool IsDiskFull(IOException e) => (e.HResult & 0xFFFF) is 28 or 112 || e.Message.Contains("No space left", StringComparison.Ordinal);

    /// <summary>Stops the sender, keeps what was verified, and lets the watcher resume once there is room. Call under the gate.</summary>
    private void PauseForSpace(Transfer transfer, string detail)
    {
        var reason = $"paused: the disk is full ({detail.TrimEnd('.')}); it resumes when there is space";
        transfer.State = TransferState.Paused;
        transfer.Error = reason;
        CloseIncoming(transfer, deleteTemp: false);
        SessionOf(transfer)?.Link.TrySend(FrameType.TransferPause, TransferMessages.Cancel(transfer.Id, reason));
        FileLog.Paused(_logger, transfer.ShortId, reason);
        _ = SaveAsync(transfer);
    }

    /// <summary>Resumes transfers paused for space once the remaining bytes fit.</summary>
    private async Task WatchPausedAsync()
    {
        using var timer = new PeriodicTimer(PauseCheckInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                foreach (var transfer in _transfers.Values.Where(t => t.State == TransferState.Paused && t.Folder is not null))
                {
                    if (new DriveInfo(transfer.Folder!).AvailableFreeSpace > transfer.TotalBytes - transfer.BytesDone && SessionOf(transfer) is { } session)
                    {
                        transfer.State = TransferState.Active;
                        transfer.Error = null;
                        await SaveAsync(transfer).ConfigureAwait(false);
                        await ResumeReceivingAsync(session, transfer).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task OnEndAsync(PeerSession session, Frame frame)
    {
        if (!TransferMessages.TryDecode(frame.Payload, hasIndex: true, fixedRest: 32, out var id, out var index, out var hash))
        {
            throw new ProtocolException("malformed file end");
        }
        if (Lookup(session, id) is not { Outgoing: false } transfer)
        {
            return;
        }
        string? failure = null;
        await transfer.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (transfer.State != TransferState.Active || !_incoming.TryGetValue(transfer.Id, out var incoming) || incoming.Index != index)
            {
                return;
            }
            var file = transfer.Files[index];
            if (incoming.Offset != file.Size)
            {
                failure = $"'{SafeNames.Printable(file.Path)}' ended at {incoming.Offset} bytes; {file.Size} were offered";
            }
            else if (!CryptographicOperations.FixedTimeEquals(incoming.Digest.Finish(), hash))
            {
                failure = $"'{SafeNames.Printable(file.Path)}' does not match its whole-file SHA-256";
            }
            else
            {
                failure = await LandAsync(session, transfer, file, incoming).ConfigureAwait(false);
            }
        }
        finally
        {
            transfer.Gate.Release();
        }
        if (failure is not null)
        {
            await FailAsync(session, transfer, failure).ConfigureAwait(false);
        }
        else if (transfer.State == TransferState.Completed)
        {
            await SaveAsync(transfer).ConfigureAwait(false);
            FileLog.Finished(_logger, transfer.ShortId, TransferState.Completed, "");
        }
    }

    /// <summary>Files verified but not yet synced and renamed, per transfer: small files land in batches.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, List<TransferFile>> _landing = new();

    /// <summary>Small files wait for this many companions before one file-system sync lands them all. 256.</summary>
    private const int LandingBatch = 256;

    /// <summary>Every this many bytes of a file, writing them to disk starts in the background. 8 MiB.</summary>
    private const long WritebackStride = 8L << 20;

    /// <summary>A file at least this big lands at once, with its own fsync. 4 MiB.</summary>
    private const long LandAloneBytes = 4L << 20;

    /// <summary>
    /// A file passed its checks: queue it to land (sync, record the final name, rename, tell the
    /// sender), landing the queue now when it is full, the file is big, or it was the last; then open
    /// the next file. Under the gate. Returns a failure, or null.
    /// </summary>
    private async Task<string?> LandAsync(PeerSession session, Transfer transfer, TransferFile file, IncomingFile incoming)
    {
        try
        {
            _incoming.TryRemove(transfer.Id, out _);
            incoming.Dispose();
            if (!_landing.TryGetValue(transfer.Id, out var queue))
            {
                _landing[transfer.Id] = queue = [];
            }
            queue.Add(file);
            var next = transfer.Files.Skip(file.Index + 1).FirstOrDefault(f => !f.Done);
            if (next is null || file.Size >= LandAloneBytes || queue.Count >= LandingBatch)
            {
                await LandQueuedAsync(session, transfer).ConfigureAwait(false);
            }
            if (next is null)
            {
                transfer.State = TransferState.Completed;
                return null;
            }
            var opened = OpenIncoming(transfer, next);
            transfer.CurrentFile = next.Index;
            transfer.CurrentOffset = 0;
            if (opened.Offset != 0)
            {
                // A stale partial file from an earlier attempt: the sender streams this file from 0, so start over.
                RandomAccess.SetLength(opened.Handle, 0);
                opened.Offset = 0;
                opened.Digest.Finish();
            }
            return null;
        }
        catch (IOException e) when (IsDiskFull(e))
        {
            PauseForSpace(transfer, e.Message);
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
    /// renamed to a free name and the sender told. Under the gate.
    /// </summary>
    private async Task LandQueuedAsync(PeerSession? session, Transfer transfer)
    {
        if (!_landing.TryRemove(transfer.Id, out var queue) || queue.Count == 0)
        {
            return;
        }
        DiskSync.Sync([.. queue.Select(f => TempPath(transfer, f.Index))]);
        var folders = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in queue)
        {
            file.FinalPath = SafeFolder.PrepareParent(transfer.Folder!, file.Path, folders);
        }
        await Task.WhenAll(queue.Select(f => _store.UpdateTransferFileAsync(transfer.Id, f))).ConfigureAwait(false);
        foreach (var file in queue)
        {
            file.FinalPath = SafeFolder.MoveToFreeName(TempPath(transfer, file.Index), file.FinalPath!);
            transfer.MarkDone(file);
            _ = _store.UpdateTransferFileAsync(transfer.Id, file);
            session?.Link.TrySend(FrameType.FileDone, TransferMessages.Done(transfer.Id, file.Index));
        }
    }

    private async Task FailAsync(PeerSession session, Transfer transfer, string reason)
    {
        session.Link.TrySend(FrameType.TransferCancel, TransferMessages.Cancel(transfer.Id, reason));
        await FinishAsync(transfer, TransferState.Failed, reason).ConfigureAwait(false);
    }

    private static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.0} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.0} MiB",
        >= 1L << 10 => $"{bytes / 1024.0:0.0} KiB",
        _ => $"{bytes} B",
    };
}
