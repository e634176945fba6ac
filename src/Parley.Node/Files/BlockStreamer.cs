using System.Buffers;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;
using Parley.Core.Files;
using Parley.Core.Protocol;
using Parley.Node.Links;

namespace Parley.Node.Files;

/// <summary>
/// The sender's stream: reads, hashes and queues blocks on the link's bulk queue, which holds few,
/// so a slow receiver slows the reading (back-pressure) and chat frames overtake the blocks. Runs of
/// small files (and empty folders) go many to a frame as FileBundles (<see cref="BundleSender"/>).
/// </summary>
internal sealed class BlockStreamer(TransferFinisher finisher)
{
    /// <summary>
    /// Per transfer, the block hashes of the file being sent so far (32 bytes a 256 KiB block): a stream stopped and
    /// asked again (the receiver's "busy" pause, a new link) goes on from them instead of reading and hashing the
    /// file up to there again, which made a 1 GiB file paused every few MiB hash hundreds of GiB. Each stream works
    /// on its own copy, so a replaced stream still finishing its last block cannot disturb the next one.
    /// </summary>
    private readonly ConcurrentDictionary<Guid, (int File, List<byte[]> Hashes)> _sent = new();

    /// <summary>Sends file <paramref name="index"/> from <paramref name="offset"/>, then every later file, each followed by its FileEnd.</summary>
    public async Task StreamAsync(PeerSession session, Transfer transfer, int index, long offset, CancellationToken cancellationToken)
    {
        try
        {
            for (var i = index; i < transfer.Files.Count; offset = 0)
            {
                if (offset == 0 && BundleSender.Fits(transfer.Files[i]))
                {
                    (i, var failure) = await BundleSender.SendAsync(session, transfer, i, cancellationToken).ConfigureAwait(false);
                    if (failure is not null)
                    {
                        await finisher.FailAsync(session, transfer, failure).ConfigureAwait(false);
                    }
                    if (i < 0)
                    {
                        return;
                    }
                    continue;
                }
                if (!await StreamFileAsync(session, transfer, transfer.Files[i], offset, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
                i++;
            }
            _sent.TryRemove(transfer.Id, out _); // everything went out: nothing to go on from
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException e)
        {
            var reason = $"could not read '{SafeNames.Printable(transfer.Files[transfer.CurrentFile].Path)}': {e.Message}";
            await finisher.FailAsync(session, transfer, reason).ConfigureAwait(false);
        }
    }

    /// <summary>One file from <paramref name="offset"/>; false when the stream must stop (link gone, file changed).</summary>
    private async Task<bool> StreamFileAsync(PeerSession session, Transfer transfer, TransferFile file, long offset, CancellationToken cancellationToken)
    {
        transfer.CurrentFile = file.Index;
        transfer.CurrentOffset = offset;
        // Synchronous reads: on Linux "async" file I/O only moves the same blocking call to another thread.
        using var handle = File.OpenHandle(file.Source!, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        if (RandomAccess.GetLength(handle) != file.Size)
        {
            await finisher.FailAsync(session, transfer, $"'{SafeNames.Printable(file.Path)}' changed since it was offered").ConfigureAwait(false);
            return false;
        }
        using var digest = new FileDigest();
        var blocks = (int)(offset / FileBlock.MaxData);
        List<byte[]> hashes;
        if (offset % FileBlock.MaxData == 0 && _sent.TryGetValue(transfer.Id, out var known) && known.File == file.Index && known.Hashes.Count >= blocks)
        {
            hashes = [.. known.Hashes.Take(blocks)];
            foreach (var hash in hashes)
            {
                digest.AddBlock(hash);
            }
        }
        else
        {
            hashes = [];
            digest.AddPrefix(handle, offset, hashes);
        }
        _sent[transfer.Id] = (file.Index, hashes);
        var position = offset;
        while (position < file.Size)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var length = (int)Math.Min(FileBlock.MaxData, file.Size - position);
            var buffer = ArrayPool<byte>.Shared.Rent(FileBlockHeader.Size + length);
            var data = buffer.AsMemory(FileBlockHeader.Size, length);
            ReadExactly(handle, data.Span, position);
            var hash = SHA256.HashData(data.Span);
            digest.AddBlock(hash);
            hashes.Add(hash);
            new FileBlockHeader(transfer.Id, file.Index, position, hash).Write(buffer);
            if (!await session.Link.SendBulkAsync(FrameType.FileBlock, buffer, FileBlockHeader.Size + length, pooled: true, cancellationToken: cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
            position += length;
            transfer.CurrentOffset = position;
        }
        // The end goes through the bulk queue too, so it cannot overtake the file's last blocks.
        return await session.Link.SendBulkAsync(FrameType.FileEnd, new FileEnd(transfer.Id, file.Index, digest.Finish()).ToArray(),
            cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    internal static void ReadExactly(SafeFileHandle handle, Span<byte> buffer, long position)
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
}
