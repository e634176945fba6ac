using Parley.Core.Identity;

namespace Parley.Node.Files;

/// <summary>
/// Files a browser hands over for sending. A page cannot give the node a path on disk, only the
/// bytes, so each send from the web UI is staged in an <see cref="OutboxFolder"/> (folder structure
/// kept) and offered from there like any other files.
/// </summary>
internal sealed class Outbox(OutboxFolder staging, FileSender sender)
{
    /// <summary>Deepest relative path accepted for a staged file: 64 folders.</summary>
    public const int MaxPathSegments = 64;

    private const string PartSuffix = ".parley-upload";
    private readonly string _root = staging.Root;

    /// <summary>A new, empty upload; its ID names the staging folder.</summary>
    public string Create()
    {
        var id = Guid.NewGuid().ToString("N");
        Directory.CreateDirectory(Path.Combine(_root, id));
        return id;
    }

    /// <summary>
    /// Stages one file of an upload from <paramref name="content"/>. The bytes go to a temporary name
    /// first, so a broken upload never leaves a short file that could then be sent.
    /// </summary>
    public async Task<long> WriteAsync(string upload, string relativePath, Stream content, long? length, CancellationToken cancel)
    {
        var folder = FolderOf(upload);
        var target = Path.Combine(folder, CheckedRelative(relativePath));
        if (File.Exists(target) || Directory.Exists(target))
        {
            throw new TransferException($"'{relativePath}' is already in this upload");
        }
        if (length is { } size && size > new DriveInfo(folder).AvailableFreeSpace)
        {
            throw new TransferException($"not enough free space to stage {size:N0} bytes for sending");
        }
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var part = target + PartSuffix;
        // CreateNew outside the try: a second upload of the same path fails here without deleting the first one's bytes.
        FileStream file;
        try
        {
            file = new FileStream(part, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        }
        catch (IOException) when (File.Exists(part))
        {
            throw new TransferException($"'{relativePath}' is already being uploaded");
        }
        try
        {
            long written;
            await using (file)
            {
                await content.CopyToAsync(file, 1 << 16, cancel).ConfigureAwait(false);
                written = file.Length;
            }
            if (length is { } expected && written != expected)
            {
                throw new TransferException($"'{relativePath}' arrived with {written:N0} of {expected:N0} bytes");
            }
            File.Move(part, target);
            return written;
        }
        catch
        {
            File.Delete(part);
            throw;
        }
    }

    /// <summary>Offers everything staged in an upload to <paramref name="peer"/>.</summary>
    public async Task<Transfer> SendAsync(string upload, DeviceId peer)
    {
        var folder = FolderOf(upload);
        var top = Directory.EnumerateFileSystemEntries(folder).Where(p => !p.EndsWith(PartSuffix, StringComparison.Ordinal)).ToList();
        if (top.Count == 0)
        {
            throw new TransferException("this upload has no files yet");
        }
        var (transfer, _) = await sender.OfferAsync(peer, top).ConfigureAwait(false);
        return transfer;
    }

    /// <summary>Drops an upload that will not be sent (the page gave up on it).</summary>
    public void Discard(string upload) => OutboxFolder.TryDelete(FolderOf(upload));

    private string FolderOf(string upload)
    {
        if (upload.Length != 32 || !upload.All(char.IsAsciiHexDigitLower) || !Directory.Exists(Path.Combine(_root, upload)))
        {
            throw new TransferException($"no upload '{upload}'");
        }
        return Path.Combine(_root, upload);
    }

    /// <summary>A browser-supplied relative path ("photos/2024/a.jpg"), refused if it could step outside the upload.</summary>
    private static string CheckedRelative(string relativePath)
    {
        var segments = relativePath.Split('/');
        if (relativePath.Length is 0 or > 4096 || segments.Length > MaxPathSegments
            || segments.Any(s => s.Length == 0 || s is "." or ".." || s.Length > 255 || s.Any(char.IsControl) || s.EndsWith(PartSuffix, StringComparison.Ordinal)))
        {
            throw new TransferException($"'{relativePath}' is not a relative path of plain names");
        }
        return Path.Combine(segments);
    }
}
