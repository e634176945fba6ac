using System.Buffers;
using System.Security.Cryptography;
using Parley.Core.Files;
using Parley.Core.Protocol;
using Parley.Node.Links;

namespace Parley.Node.Files;

/// <summary>
/// Sends a run of consecutive small files as one FileBundle: each read whole and hashed, the frame built in
/// one pooled buffer and queued on the bulk queue like a block. A folder of 10,000 files of 1 KiB takes
/// 40 frames instead of 20,000 (a block and an end each), and the receiver lands each bundle at once.
/// </summary>
internal static class BundleSender
{
    /// <summary>
    /// Files up to this size are sent in bundles: 16 KiB, by measurement (`folders --cut-offs`, docs/benchmarks.md).
    /// A bundle lands with its own sync (so a kill resends at most one bundle), while files sent as blocks land 256
    /// to a sync: on this disk 2,000 files of 4–200 KiB took 2.7–4.0 s with a 16 KiB cut-off and 4.5–5.3 s with
    /// 64 KiB (more, smaller bundles, each a sync); on tmpfs, where a sync is free, the two were even. Settable for
    /// that bench only.
    /// </summary>
    internal static int CutOffBytes { get; set; } = 16 * 1024;

    /// <summary>Whether this node sends a file in a bundle: small enough (an empty folder always is).</summary>
    public static bool Fits(TransferFile file) => file.IsFolder || file.Size <= CutOffBytes;

    /// <summary>Whether a bundle may carry the offered file (the receiver's check: the wire's limit, not this node's cut-off).</summary>
    public static bool MayCarry(TransferFile file) => file.IsFolder || file.Size <= FileBundle.MaxFileBytes;

    /// <summary>
    /// Sends files from <paramref name="first"/> on while they fit one bundle; returns the index after the
    /// last one sent, or -1 when the stream must stop (link gone; or a file changed since it was offered,
    /// then with the reason the transfer fails).
    /// </summary>
    public static async Task<(int Next, string? Failure)> SendAsync(PeerSession session, Transfer transfer, int first, CancellationToken cancellationToken)
    {
        var (end, bytes) = Run(transfer.Files, first);
        var count = end - first;
        var dataAt = FileBundle.HeadSize + count * FileBundle.EntrySize;
        var buffer = ArrayPool<byte>.Shared.Rent(dataAt + (int)bytes);
        var entries = new BundledFile[count];
        var at = dataAt;
        for (var i = first; i < end; i++)
        {
            var file = transfer.Files[i];
            transfer.CurrentFile = i;
            var data = buffer.AsSpan(at, (int)file.Size);
            if (!file.IsFolder && !SmallFileCalls.TryReadWhole(file.Source!, data))
            {
                ArrayPool<byte>.Shared.Return(buffer);
                return (-1, $"'{SafeNames.Printable(file.Path)}' changed since it was offered");
            }
            entries[i - first] = new BundledFile(data.Length, SHA256.HashData(data));
            at += data.Length;
        }
        FileBundle.WriteHead(buffer, transfer.Id, first, entries);
        if (!await session.Link.SendBulkAsync(FrameType.FileBundle, buffer, at, pooled: true, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            return (-1, null);
        }
        transfer.CurrentOffset = 0;
        return (end, null);
    }

    /// <summary>The files from <paramref name="first"/> that fit one bundle: the end index and their bytes.</summary>
    private static (int End, long Bytes) Run(IReadOnlyList<TransferFile> files, int first)
    {
        long bytes = 0;
        var end = first;
        while (end < files.Count && end - first < FileBundle.MaxFiles && Fits(files[end]) && bytes + files[end].Size <= FileBlock.MaxData)
        {
            bytes += files[end].Size;
            end++;
        }
        return (end, bytes);
    }
}
