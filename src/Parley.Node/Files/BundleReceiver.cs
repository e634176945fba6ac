using System.Buffers;
using System.Security.Cryptography;
using Parley.Core.Files;
using Parley.Core.Protocol;
using Parley.Node.Links;

namespace Parley.Node.Files;

/// <summary>
/// The receiver's side of FileBundle: a bundle must start at the file being received, from its start, and
/// match the offer file by file (each small enough, each of its offered size, each matching its SHA-256);
/// then its files land together (<see cref="FileLanding.LandBundleAsync"/>). A lie fails the transfer with
/// the reason, told to the sender, as for blocks.
/// </summary>
internal sealed class BundleReceiver(TransferBook book, IncomingFiles incoming, FileLanding landing, TransferRecorder recorder, TransferFinisher finisher)
{
    private long _bundles;
    private long _bytes;

    /// <summary>Bundles accepted since start: what tests compare with the number of files sent.</summary>
    public long Bundles => Interlocked.Read(ref _bundles);

    /// <summary>File bytes accepted in bundles since start.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    public async Task OnBundleAsync(PeerSession session, Frame frame)
    {
        var bundle = frame.Read<FileBundle>();
        if (book.With(session.Id, bundle.OfferId) is not { Outgoing: false } transfer)
        {
            return;
        }
        string? failure;
        await transfer.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (transfer.State != TransferState.Active || !incoming.TryGetOpen(transfer.Id, out var open)
                || open.Index != bundle.FirstIndex || open.Offset != 0)
            {
                return; // from before a pause, resume or cancel: already superseded
            }
            failure = Check(transfer, bundle, out var files);
            if (failure is null)
            {
                Interlocked.Increment(ref _bundles);
                Interlocked.Add(ref _bytes, bundle.Data.Length);
                failure = await landing.LandBundleAsync(session, transfer, files, bundle.Data).ConfigureAwait(false);
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
        }
    }

    /// <summary>Why the bundle does not match the offer, or null; <paramref name="files"/> are the offered files it carries.</summary>
    private static string? Check(Transfer transfer, FileBundle bundle, out List<TransferFile> files)
    {
        files = [];
        if (bundle.FirstIndex + bundle.Files.Count > transfer.Files.Count)
        {
            return "the sender sent a bundle past the offer's last file";
        }
        var data = bundle.Data;
        Span<byte> hash = stackalloc byte[32];
        for (var i = 0; i < bundle.Files.Count; i++)
        {
            var offered = transfer.Files[bundle.FirstIndex + i];
            var sent = bundle.Files[i];
            if (!BundleSender.MayCarry(offered) || sent.Length != offered.Size)
            {
                return $"the sender's bundle does not match the offer for '{SafeNames.Printable(offered.Path)}'";
            }
            var bytes = data.Slice(0, sent.Length);
            data = data.Slice(sent.Length);
            if (bytes.IsSingleSegment)
            {
                SHA256.HashData(bytes.FirstSpan, hash);
            }
            else
            {
                SHA256.HashData(bytes.ToArray(), hash);
            }
            if (!CryptographicOperations.FixedTimeEquals(hash, sent.Hash))
            {
                return $"'{SafeNames.Printable(offered.Path)}' failed its SHA-256 check";
            }
            files.Add(offered);
        }
        return null;
    }
}
