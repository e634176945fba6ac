using Parley.Core.Identity;
using Parley.Node.Contacts;

namespace Parley.Node.Files;

/// <summary>Shapes transfers for the API and the event stream: the peer's name, the title, rate and ETA.</summary>
internal sealed class TransferViews(ContactBook contacts, TimeProvider time)
{
    public TransferInfo Describe(Transfer t)
    {
        var peer = DeviceId.Parse(t.Peer);
        var current = t.CurrentFile < t.Files.Count && !t.IsFinal ? t.Files[t.CurrentFile] : null;
        var rate = t.State == TransferState.Active ? t.Rate(time) : 0;
        var remaining = t.TotalBytes - t.BytesDone;
        return new TransferInfo(
            t.Id.ToString("N"),
            t.ShortId,
            peer.ToString(),
            contacts.Find(peer)?.DisplayName ?? peer.Short,
            t.Outgoing ? TransferDirection.Outgoing : TransferDirection.Incoming,
            t.State,
            t.Error,
            t.Folder,
            Title(t),
            t.Files.Count - t.FolderCount,
            t.OnlyFilesDone,
            t.TotalBytes,
            t.BytesDone,
            Math.Round(rate),
            rate > 0 ? Math.Round(remaining / rate, 1) : null,
            current is null ? null : new CurrentFileInfo(current.Index, current.Path, current.Size, Math.Min(t.CurrentOffset, current.Size)),
            t.CreatedAt)
        { Names = Names(t), ResentBytes = t.ResentBytes, ResentFiles = t.ResentFiles };
    }

    /// <summary>"photo.png", "photo.png and 2 more": the first file's path and how many others (folder entries count only when there are no files).</summary>
    public static string Names(Transfer t)
    {
        var files = t.Files.Count - t.FolderCount;
        var first = files > 0 ? t.Files.First(f => !f.IsFolder) : t.Files.FirstOrDefault();
        var count = files > 0 ? files : t.Files.Count;
        return count switch
        {
            0 => "no files",
            1 => first!.Path,
            var n => $"{first!.Path} and {n - 1} more",
        };
    }

    /// <summary>
    /// The transfer with its first <paramref name="limit"/> files (an offer may list 100,000): files, as <c>fileCount</c> counts
    /// them ("… and 12 more" adds up), not the folder entries that carry folders' times.
    /// </summary>
    public TransferDetail Detail(Transfer t, int limit) =>
        new(Describe(t), [.. t.Files.Where(f => !f.IsFolder).Take(limit).Select(f => new TransferFileInfo(f.Path, f.Size, f.Done, f.FinalPath))]);

    /// <summary>What a person calls a transfer: its one file, or the one folder all its files are in.</summary>
    public static string? Title(Transfer t)
    {
        if (t.Files.Count == 0)
        {
            return null;
        }
        var first = t.Files[0].Path;
        if (t.Files.Count == 1)
        {
            return first;
        }
        var top = first.Split('/')[0];
        return t.Files.All(f => f.Path == top || f.Path.StartsWith(top + "/", StringComparison.Ordinal)) ? top + "/" : null;
    }
}
