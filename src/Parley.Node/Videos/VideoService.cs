using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Node.Contacts;
using Parley.Node.Links;
using Parley.Node.Storage;

namespace Parley.Node.Videos;

/// <summary>A video request that cannot be carried out; <see cref="Status"/> is the HTTP status that fits.</summary>
public sealed class VideoException(string message, int status = 400) : RequestRefusedException(message, status);

/// <summary>
/// The video library over peer links, both sides. As owner it shares one folder with the contacts
/// the user allows, answers list requests with the catalog and read requests with at most
/// 256 KiB each, so it reads nothing a viewer did not ask for (<c>VideoService.Owner.cs</c>). As
/// viewer it lists a peer's library and copies byte ranges to the local player through a window
/// of a few reads in flight, keeping nothing but that window (<c>VideoService.Viewer.cs</c>).
/// </summary>
public sealed partial class VideoService : IAsyncDisposable
{
    private const string FolderSetting = "videos-folder";
    private readonly NodeStore _store;
    private readonly ContactBook _contacts;
    private readonly LinkManager _links;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private volatile VideoLibrary? _library;

    private VideoService(NodeStore store, ContactBook contacts, LinkManager links, VideoAccess access, TimeProvider time, ILoggerFactory loggerFactory)
    {
        _store = store;
        Access = access;
        _contacts = contacts;
        _links = links;
        _time = time;
        _logger = loggerFactory.CreateLogger("Parley.Videos");
        PlayLinks = new PlayLinks(time);
    }

    /// <summary>Tokened local URLs for external players.</summary>
    public PlayLinks PlayLinks { get; }

    /// <summary>Starts with the folder shared last time (if it still exists), or <paramref name="folder"/> when given.</summary>
    public static async Task<VideoService> LoadAsync(NodeStore store, ContactBook contacts, LinkManager links, TimeProvider time,
        ILoggerFactory loggerFactory, string? folder)
    {
        var service = new VideoService(store, contacts, links, await VideoAccess.LoadAsync(store).ConfigureAwait(false), time, loggerFactory);
        if (folder is not null)
        {
            await service.ShareAsync(folder).ConfigureAwait(false);
        }
        else if (await store.GetSettingAsync(FolderSetting).ConfigureAwait(false) is { Length: > 0 } remembered && Directory.Exists(remembered))
        {
            service._library = new VideoLibrary(remembered, time);
        }
        return service;
    }

    public string? SharedFolder => _library?.Folder;

    /// <summary>What this node shares, as peers see it.</summary>
    public VideoCatalog OwnCatalog() => _library?.Catalog() ?? VideoCatalog.Empty;

    /// <summary>Shares <paramref name="folder"/> (instead of any earlier one) and remembers it for the next start.</summary>
    public async Task ShareAsync(string folder)
    {
        var full = Path.GetFullPath(folder);
        if (!Directory.Exists(full))
        {
            throw new VideoException($"no folder at {full}");
        }
        await _store.SetSettingAsync(FolderSetting, full).ConfigureAwait(false);
        _library = new VideoLibrary(full, _time);
    }

    /// <summary>Stops sharing: list and read requests are refused from now on.</summary>
    public async Task UnshareAsync()
    {
        await _store.SetSettingAsync(FolderSetting, "").ConfigureAwait(false);
        _library = null;
    }

    /// <summary>Who may watch.</summary>
    public VideoAccess Access { get; }

    /// <summary>A contact the user lets watch; never a stranger, a request or a blocked device.</summary>
    public bool MayWatch(DeviceId peer) => _contacts.Find(peer) is { State: PeerState.Contact } && Access.Allows(peer);

    /// <summary>Frames of types 0x30–0x3F from an open session.</summary>
    public ValueTask OnFrameAsync(PeerSession session, Frame frame)
    {
        switch (frame.Type)
        {
            case FrameType.VideoListRequest:
                return OnListRequestAsync(session, frame);
            case FrameType.VideoRead:
                OnRead(session, frame);
                break;
            case FrameType.VideoCancel:
                OnCancel(session, frame);
                break;
            case FrameType.VideoList:
            case FrameType.VideoData:
            case FrameType.VideoError:
                OnReply(session, frame);
                break;
            default:
                throw new ProtocolException($"unexpected {frame.Type} frame");
        }
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        PlayLinks.StopAll();
        foreach (var pending in _pending.Values)
        {
            pending.Fail(VideoRefusal.Failed, "the node is stopping");
        }
        _streamSlots.Dispose();
        _stopping.Dispose();
    }
}
