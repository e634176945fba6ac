using System.Buffers;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Parley.Core.Files;
using Parley.Core.Protocol;
using Parley.Node.Links;

namespace Parley.Node.Files;

/// <summary>
/// The receiver's data path, run in the link's receive loop: each block is checked against its
/// SHA-256 and written in order to the temporary file; each FileEnd is checked against the whole
/// file's digest, then the file lands. A lie fails the transfer with the reason, told to the sender.
/// </summary>
internal sealed class BlockReceiver(
    TransferBook book,
    IncomingFiles incoming,
    FileLanding landing,
    DiskFullPause pause,
    TransferRecorder recorder,
    TransferFinisher finisher,
    BundleReceiver bundles,
    ILoggerFactory loggerFactory)
{
    /// <summary>Every this many bytes of a file, writing them to disk starts in the background. 8 MiB.</summary>
    private const long WritebackStride = 8L << 20;

    private readonly ILogger _logger = loggerFactory.CreateLogger(FileLog.Category);
    private long _receivedBytes;

    /// <summary>File data accepted since start (blocks and bundles), resends included: what resume tests compare with file sizes.</summary>
    public long ReceivedBytes => Interlocked.Read(ref _receivedBytes) + bundles.Bytes;

    /// <summary>Bundles of small files accepted since start.</summary>
    public long ReceivedBundles => bundles.Bundles;

    public Task OnBundleAsync(PeerSession session, Frame frame) => bundles.OnBundleAsync(session, frame);

    public async Task OnBlockAsync(PeerSession session, Frame frame)
    {
        var (header, data) = frame.Read<FileBlock>();
        if (book.With(session.Id, header.OfferId) is not { Outgoing: false } transfer)
        {
            return;
        }
        string? failure = null;
        await transfer.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (transfer.State != TransferState.Active || !incoming.TryGetOpen(transfer.Id, out var file)
                || header.FileIndex != file.Index || header.Offset != file.Offset)
            {
                return; // a block from before a pause, resume or cancel: already superseded
            }
            failure = Check(transfer.Files[file.Index], header, data);
            if (failure is null && TryWrite(transfer, file, data))
            {
                Interlocked.Add(ref _receivedBytes, data.Length);
                if ((file.Offset + data.Length) % WritebackStride == 0)
                {
                    DiskSync.StartWriteback(file.Handle, file.Offset + data.Length - WritebackStride, WritebackStride);
                }
                file.Digest.AddBlock(header.Hash);
                file.Offset += data.Length;
                transfer.CurrentOffset = file.Offset;
                transfer.AskedToResend = false; // the resend has begun: an end from here on is the resend's
            }
        }
        finally
        {
            transfer.Gate.Release();
        }
        if (failure is not null)
        {
            await finisher.FailAsync(session, transfer, failure).ConfigureAwait(false);
        }
    }

    /// <summary>Why a block that arrives in its place is refused, or null: it must stay within the file and match its hash.</summary>
    private static string? Check(TransferFile file, FileBlockHeader header, ReadOnlySequence<byte> data) =>
        header.Offset + data.Length > file.Size ? $"the sender sent more bytes than offered for '{SafeNames.Printable(file.Path)}'"
        : !HashMatches(data, header.Hash) ? $"block at byte {header.Offset} of '{SafeNames.Printable(file.Path)}' failed its SHA-256 check"
        : null;

    private static bool HashMatches(ReadOnlySequence<byte> data, byte[] expected)
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
    private bool TryWrite(Transfer transfer, IncomingFile file, ReadOnlySequence<byte> data)
    {
        try
        {
            var position = file.Offset;
            // Synchronous: a write into the page cache is quick, and Linux has no true async file I/O here anyway.
            foreach (var segment in data)
            {
                RandomAccess.Write(file.Handle, segment.Span, position);
                position += segment.Length;
            }
            return true;
        }
        catch (IOException e) when (DiskFullPause.IsDiskFull(e))
        {
            pause.Pause(transfer, e.Message);
            return false;
        }
    }

    public async Task OnEndAsync(PeerSession session, Frame frame)
    {
        var end = frame.Read<FileEnd>();
        if (book.With(session.Id, end.OfferId) is not { Outgoing: false } transfer)
        {
            return;
        }
        string? failure = null;
        await transfer.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (transfer.State != TransferState.Active || !incoming.TryGetOpen(transfer.Id, out var file) || file.Index != end.FileIndex)
            {
                return;
            }
            var offered = transfer.Files[end.FileIndex];
            if (file.Offset != offered.Size && transfer.AskedToResend)
            {
                return; // sent before our ask to go on from here (in flight past a dropped block): the resend ends the file again
            }
            if (file.Offset != offered.Size)
            {
                failure = $"'{SafeNames.Printable(offered.Path)}' ended at {file.Offset} bytes; {offered.Size} were offered";
            }
            else if (!CryptographicOperations.FixedTimeEquals(file.Digest.Finish(), end.Digest))
            {
                failure = $"'{SafeNames.Printable(offered.Path)}' does not match its whole-file SHA-256";
            }
            else
            {
                failure = await landing.LandAsync(session, transfer, offered).ConfigureAwait(false);
            }
        }
        finally
        {
            transfer.Gate.Release();
        }
        if (failure is not null)
        {
            await finisher.FailAsync(session, transfer, failure).ConfigureAwait(false);
        }
        else if (transfer.State == TransferState.Completed)
        {
            await recorder.SaveAsync(transfer).ConfigureAwait(false);
            FileLog.Finished(_logger, transfer.ShortId, TransferState.Completed, "");
        }
    }
}
