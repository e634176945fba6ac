namespace Parley.Node.Files;

/// <summary>
/// Where browser uploads are staged: <c>&lt;home&gt;/outbox/&lt;upload&gt;/</c>. A staging folder goes
/// when its transfer ends, and at start when no unfinished transfer still reads from it (a crash, or a
/// page closed mid-upload, leaves such folders).
/// </summary>
internal sealed class OutboxFolder(NodeOptions options, TransferBook book) : ITransferEndHandler, INodeService
{
    public string Root { get; } = Path.Combine(options.Home, "outbox");

    /// <summary>After the transfers are loaded: clears staging folders no unfinished transfer reads from.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Directory.Exists(Root))
        {
            var inUse = book.All.Where(t => t.Outgoing && !t.IsFinal).Select(UploadFolderOf).OfType<string>().ToHashSet(StringComparer.Ordinal);
            foreach (var folder in Directory.EnumerateDirectories(Root).Where(f => !inUse.Contains(f)))
            {
                TryDelete(folder);
            }
        }
        return Task.CompletedTask;
    }

    public Task StopAsync() => Task.CompletedTask;

    public void OnTransferEnded(Transfer transfer)
    {
        if (transfer.Outgoing && UploadFolderOf(transfer) is { } folder)
        {
            TryDelete(folder);
        }
    }

    /// <summary>The staging folder a transfer sends from, or null when it sends files from elsewhere.</summary>
    private string? UploadFolderOf(Transfer transfer)
    {
        var source = transfer.Files.Count > 0 ? transfer.Files[0].Source : null;
        var prefix = Root + Path.DirectorySeparatorChar;
        if (source is null || !source.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }
        var upload = source[prefix.Length..].Split(Path.DirectorySeparatorChar)[0];
        return Path.Combine(Root, upload);
    }

    public static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Cleared at the next start instead.
        }
    }
}
