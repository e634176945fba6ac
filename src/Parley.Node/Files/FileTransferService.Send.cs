using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Node.Links;
using Parley.Node.Storage;

namespace Parley.Node.Files;

public sealed partial class FileTransferService
{
    private readonly ConcurrentDictionary<Guid, CancellationTokenSource> _streams = new();

    /// <summary>
    /// Offers files and folders (structure kept, symbolic links skipped) to a contact. The offer goes
    /// out now if the contact is linked, else when it is.
    /// </summary>
    public async Task<(Transfer Transfer, IReadOnlyList<string> Skipped)> OfferAsync(DeviceId peer, IReadOnlyList<string> paths)
    {
        if (!_contacts.IsContact(peer))
        {
            throw new TransferException($"{peer.Short} is not a contact; add or accept it first");
        }
        var (entries, skipped) = Collect(paths);
        if (entries.Count == 0)
        {
            throw new TransferException(skipped.Count > 0 ? "nothing to send: only links were given" : "nothing to send");
        }
        if (entries.Count > ProtocolLimits.MaxOfferFiles)
        {
            throw new TransferException($"{entries.Count:N0} files is over the limit of {ProtocolLimits.MaxOfferFiles:N0} for one send; send fewer at a time");
        }
        var files = entries.Select((e, i) => new TransferFile(i, e.Relative, e.Size, e.Source)).ToList();
        var transfer = new Transfer(Guid.CreateVersion7(), peer.Compact, outgoing: true, files, _time.GetUtcNow()) { State = TransferState.Offered };
        var offer = new FileOffer(transfer.Id, [.. files.Select(f => new OfferEntry(f.Path, f.Size))]);
        byte[] encoded;
        try
        {
            encoded = offer.Encode();
        }
        catch (ArgumentException e)
        {
            throw new TransferException(e.Message);
        }
        _transfers[transfer.Id] = transfer;
        await _store.InsertTransferAsync(transfer).ConfigureAwait(false);
        _events.Publish("transfer", () => ToJson(transfer));
        if (_links.Session(peer) is { IsOpen: true } session)
        {
            session.Link.TrySend(FrameType.FileOffer, encoded);
        }
        return (transfer, skipped);
    }

    private static void SendOffer(PeerSession session, Transfer transfer) =>
        session.Link.TrySend(FrameType.FileOffer, new FileOffer(transfer.Id, [.. transfer.Files.Select(f => new OfferEntry(f.Path, f.Size))]).Encode());

    private sealed record Entry(string Relative, long Size, string Source);

    /// <summary>Every regular file under the given paths, with '/'-separated names relative to each path's parent.</summary>
    private static (List<Entry> Entries, List<string> Skipped) Collect(IReadOnlyList<string> paths)
    {
        var entries = new List<Entry>();
        var skipped = new List<string>();
        foreach (var raw in paths)
        {
            var path = Path.GetFullPath(raw).TrimEnd(Path.DirectorySeparatorChar);
            var info = new FileInfo(path);
            if (info.LinkTarget is not null)
            {
                skipped.Add(path);
            }
            else if (info.Exists)
            {
                entries.Add(new Entry(info.Name, info.Length, path));
            }
            else if (Directory.Exists(path))
            {
                CollectFolder(new DirectoryInfo(path), Path.GetDirectoryName(path)!, entries, skipped);
            }
            else
            {
                throw new TransferException($"'{SafeNames.Printable(raw)}' does not exist");
            }
            if (entries.Count > ProtocolLimits.MaxOfferFiles)
            {
                break;
            }
        }
        return (entries, skipped);
    }

    private static void CollectFolder(DirectoryInfo folder, string parent, List<Entry> entries, List<string> skipped)
    {
        // Links are not followed: a link could point anywhere, including outside what the user chose to send.
        foreach (var item in folder.EnumerateFileSystemInfos().OrderBy(i => i.Name, StringComparer.Ordinal))
        {
            if (item.LinkTarget is not null)
            {
                skipped.Add(item.FullName);
            }
            else if (item is FileInfo file)
            {
                entries.Add(new Entry(Path.GetRelativePath(parent, file.FullName).Replace(Path.DirectorySeparatorChar, '/'), file.Length, file.FullName));
            }
            else if (item is DirectoryInfo sub)
            {
                CollectFolder(sub, parent, entries, skipped);
            }
            if (entries.Count > ProtocolLimits.MaxOfferFiles)
            {
                return;
            }
        }
    }

    private async Task OnAnswerAsync(PeerSession session, Frame frame)
    {
        if (!TransferMessages.TryDecode(frame.Payload, hasIndex: false, fixedRest: 0, out var id, out _, out var rest) || rest.Length < 1)
        {
            throw new ProtocolException("malformed offer answer");
        }
        if (Lookup(session, id) is not { Outgoing: true, State: TransferState.Offered } transfer)
        {
            return;
        }
        if (rest[0] == 1)
        {
            transfer.State = TransferState.Active;
            await SaveAsync(transfer).ConfigureAwait(false);
        }
        else
        {
            PayloadText.TryDecode(rest.AsSpan(1), out var reason);
            await FinishAsync(transfer, TransferState.Rejected, string.IsNullOrEmpty(reason) ? "rejected" : reason).ConfigureAwait(false);
        }
    }

    /// <summary>The receiver asks for file i from offset o onwards: (re)start streaming from there.</summary>
    private void OnRequest(PeerSession session, Frame frame)
    {
        if (!TransferMessages.TryDecode(frame.Payload, hasIndex: true, fixedRest: 8, out var id, out var index, out var rest))
        {
            throw new ProtocolException("malformed file request");
        }
        var offset = System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(rest);
        if (Lookup(session, id) is not { Outgoing: true } transfer || transfer.IsFinal)
        {
            return;
        }
        if (index >= transfer.Files.Count || offset < 0 || offset > transfer.Files[index].Size)
        {
            throw new ProtocolException($"file request for {index}@{offset} is outside the offer");
        }
        if (transfer.State != TransferState.Active)
        {
            // A request means the receiver accepted, even if its answer was lost with a link.
            transfer.State = TransferState.Active;
            _ = SaveAsync(transfer);
        }
        StopStreaming(id);
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        _streams[id] = cancel;
        _ = Task.Run(() => StreamAsync(session, transfer, index, offset, cancel.Token));
    }

    private void OnPause(PeerSession session, Frame frame)
    {
        if (TransferMessages.TryDecode(frame.Payload, hasIndex: false, fixedRest: 0, out var id, out _, out _) && Lookup(session, id) is { Outgoing: true } transfer)
        {
            StopStreaming(transfer.Id);
        }
    }

    private void StopStreaming(Guid id)
    {
        if (_streams.TryRemove(id, out var cancel))
        {
            cancel.Cancel();
            cancel.Dispose();
        }
    }

    /// <summary>Sends file <paramref name="index"/> from <paramref name="offset"/>, then every later file, block by block, each followed by its whole-file hash.</summary>
    private async Task StreamAsync(PeerSession session, Transfer transfer, int index, long offset, CancellationToken cancellationToken)
    {
        try
        {
            for (var i = index; i < transfer.Files.Count; i++, offset = 0)
            {
                if (!await StreamFileAsync(session, transfer, transfer.Files[i], offset, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException e)
        {
            var reason = $"could not read '{SafeNames.Printable(transfer.Files[transfer.CurrentFile].Path)}': {e.Message}";
            session.Link.TrySend(FrameType.TransferCancel, TransferMessages.Cancel(transfer.Id, reason));
            await FinishAsync(transfer, TransferState.Failed, reason).ConfigureAwait(false);
        }
    }

    private async Task<bool> StreamFileAsync(PeerSession session, Transfer transfer, TransferFile file, long offset, CancellationToken cancellationToken)
    {
        transfer.CurrentFile = file.Index;
        transfer.CurrentOffset = offset;
        // Synchronous reads: on Linux "async" file I/O only moves the same blocking call to another thread.
        using var handle = File.OpenHandle(file.Source!, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        if (RandomAccess.GetLength(handle) != file.Size)
        {
            var reason = $"'{SafeNames.Printable(file.Path)}' changed since it was offered";
            session.Link.TrySend(FrameType.TransferCancel, TransferMessages.Cancel(transfer.Id, reason));
            await FinishAsync(transfer, TransferState.Failed, reason).ConfigureAwait(false);
            return false;
        }
        using var digest = new FileDigest();
        digest.AddPrefix(handle, offset);
        var position = offset;
        while (position < file.Size)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var length = (int)Math.Min(ProtocolLimits.MaxBlockData, file.Size - position);
            var buffer = ArrayPool<byte>.Shared.Rent(FileBlockHeader.Size + length);
            var data = buffer.AsMemory(FileBlockHeader.Size, length);
            ReadExactly(handle, data.Span, position);
            var hash = SHA256.HashData(data.Span);
            digest.AddBlock(hash);
            new FileBlockHeader(transfer.Id, file.Index, position, hash).Write(buffer);
            if (!await session.Link.SendBulkAsync(FrameType.FileBlock, buffer, FileBlockHeader.Size + length, pooled: true, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
            position += length;
            transfer.CurrentOffset = position;
        }
        // The end goes through the bulk queue too, so it cannot overtake the file's last blocks.
        return await session.Link.SendBulkAsync(FrameType.FileEnd, TransferMessages.End(transfer.Id, file.Index, digest.Finish()),
            cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private static void ReadExactly(Microsoft.Win32.SafeHandles.SafeFileHandle handle, Span<byte> buffer, long position)
    {
        while (buffer.Length > 0)
        {
            var read = RandomAccess.Read(handle, buffer, position);
            if (read == 0)
            {
                throw new IOException("the file got shorter while being sent");
            }
            buffer = buffer[read..];
            position += read;
        }
    }

    private async Task OnDoneAsync(PeerSession session, Frame frame)
    {
        if (!TransferMessages.TryDecode(frame.Payload, hasIndex: true, fixedRest: 0, out var id, out var index, out _))
        {
            throw new ProtocolException("malformed file-done");
        }
        if (Lookup(session, id) is not { Outgoing: true } transfer || transfer.IsFinal || index >= transfer.Files.Count)
        {
            return;
        }
        var file = transfer.Files[index];
        if (transfer.MarkDone(file))
        {
            _ = _store.UpdateTransferFileAsync(transfer.Id, file);
        }
        if (transfer.AllDone)
        {
            await FinishAsync(transfer, TransferState.Completed, null).ConfigureAwait(false);
        }
        else if (index % 64 == 0)
        {
            _events.Publish("transfer", () => ToJson(transfer));
        }
    }

    private async Task OnCancelAsync(PeerSession session, Frame frame)
    {
        if (!TransferMessages.TryDecode(frame.Payload, hasIndex: false, fixedRest: 0, out var id, out _, out var rest))
        {
            throw new ProtocolException("malformed transfer cancel");
        }
        if (Lookup(session, id) is { IsFinal: false } transfer)
        {
            PayloadText.TryDecode(rest, out var reason);
            await FinishAsync(transfer, TransferState.Cancelled, "cancelled by the peer: " + (string.IsNullOrEmpty(reason) ? "no reason given" : reason)).ConfigureAwait(false);
        }
    }
}
