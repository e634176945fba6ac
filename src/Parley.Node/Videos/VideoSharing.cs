using Parley.Core.Identity;
using Parley.Core.Videos;
using Parley.Node.Contacts;
using Parley.Node.Storage;
using Parley.Node.Videos.Thumbnails;

namespace Parley.Node.Videos;

/// <summary>
/// The owner's choice: which folder it shares (remembered across restarts) and who may watch it.
/// The rules every list and read request is checked against live here.
/// </summary>
public sealed class VideoSharing(NodeStore store, ContactBook contacts, VideoAccess access, NodeOptions options, TimeProvider time,
    VideoThumbnails? thumbnails = null)
{
    private const string FolderSetting = "videos-folder";
    private volatile VideoLibrary? _library;

    /// <summary>Who may watch.</summary>
    public VideoAccess Access => access;

    public string? SharedFolder => _library?.Folder;

    /// <summary>The shared folder, or null when not sharing.</summary>
    internal VideoLibrary? Library => _library;

    /// <summary>Who makes the shared videos' poster frames, or null in tests that need none.</summary>
    internal VideoThumbnails? Thumbnails => thumbnails;

    /// <summary>What this node shares, as peers see it.</summary>
    public VideoCatalog OwnCatalog() => _library?.Catalog() ?? VideoCatalog.Empty;

    /// <summary>Loads who may watch, then shares the folder given at start (<see cref="NodeOptions.VideosFolder"/>) or else the one shared last time, if it still exists.</summary>
    public async Task StartAsync()
    {
        await access.LoadAsync().ConfigureAwait(false);
        if (options.VideosFolder is { } folder)
        {
            await ShareAsync(folder).ConfigureAwait(false);
        }
        else if (await store.GetSettingAsync(FolderSetting).ConfigureAwait(false) is { Length: > 0 } remembered && Directory.Exists(remembered))
        {
            _library = new VideoLibrary(remembered, time, thumbnails);
        }
    }

    /// <summary>Shares <paramref name="folder"/> (instead of any earlier one) and remembers it for the next start.</summary>
    public async Task ShareAsync(string folder)
    {
        var full = Path.GetFullPath(folder);
        if (!Directory.Exists(full))
        {
            throw new VideoException($"no folder at {full}");
        }
        await store.SetSettingAsync(FolderSetting, full).ConfigureAwait(false);
        _library = new VideoLibrary(full, time, thumbnails);
    }

    /// <summary>Stops sharing: list and read requests are refused from now on.</summary>
    public async Task UnshareAsync()
    {
        await store.SetSettingAsync(FolderSetting, "").ConfigureAwait(false);
        _library = null;
    }

    /// <summary>A contact the user lets watch; never a stranger, a request or a blocked device.</summary>
    public bool MayWatch(DeviceId peer) => contacts.Find(peer) is { State: PeerState.Contact } && access.Allows(peer);

    /// <summary>Why <paramref name="peer"/> may neither list nor read, or null when it may.</summary>
    internal (VideoRefusal Code, string Reason)? Refusal(DeviceId peer) =>
        _library is null ? (VideoRefusal.NotSharing, "is not sharing videos")
        : MayWatch(peer) ? null : (VideoRefusal.NotShared, "has not shared videos with you");
}
