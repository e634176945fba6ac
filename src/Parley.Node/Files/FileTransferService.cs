using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Node.Contacts;
using Parley.Node.Events;
using Parley.Node.Links;
using Parley.Node.Storage;

namespace Parley.Node.Files;

/// <summary>A transfer request that cannot be carried out; the message says why.</summary>
public sealed class TransferException(string message) : Exception(message);

/// <summary>
/// File and folder transfer with consent, per-block verification, and resume. The receiver drives:
/// after accepting it asks for "file i from offset o, and every file after it"; the sender streams
/// blocks in order (bulk priority, so chat overtakes them); the receiver verifies each block's
/// SHA-256, writes it to a temporary file, checks the whole-file hash, syncs and renames. After a
/// dropped link or a restart of either side it asks again from the last complete block in its
/// temporary file. Split by side: <c>FileTransferService.Send.cs</c>, <c>FileTransferService.Receive.cs</c>.
/// </summary>
public sealed partial class FileTransferService : IAsyncDisposable
{
    private const string DownloadFolderSetting = "download-folder";
    private const string AutoAcceptPrefix = "auto-accept:";
    private readonly NodeStore _store;
    private readonly ContactBook _contacts;
    private readonly LinkManager _links;
    private readonly EventHub _events;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _home;
    private readonly ConcurrentDictionary<Guid, Transfer> _transfers = new();
    private readonly CancellationTokenSource _stopping = new();

    private FileTransferService(NodeStore store, ContactBook contacts, LinkManager links, EventHub events, TimeProvider time,
        ILoggerFactory loggerFactory, string home)
    {
        _store = store;
        _contacts = contacts;
        _links = links;
        _events = events;
        _time = time;
        _home = home;
        _logger = loggerFactory.CreateLogger("Parley.Files");
    }

    /// <summary>Loads stored transfers: unfinished ones continue when their peer is linked again.</summary>
    public static async Task<FileTransferService> LoadAsync(NodeStore store, ContactBook contacts, LinkManager links, EventHub events,
        TimeProvider time, ILoggerFactory loggerFactory, string home)
    {
        var service = new FileTransferService(store, contacts, links, events, time, loggerFactory, home);
        foreach (var transfer in await store.LoadTransfersAsync(recentFinished: 200).ConfigureAwait(false))
        {
            service._transfers[transfer.Id] = transfer;
        }
        service._pauseWatcher = Task.Run(service.WatchPausedAsync);
        service._progressReporter = Task.Run(service.ReportProgressAsync);
        return service;
    }

    /// <summary>The folder received files go to unless the user picks one: the setting, else &lt;home&gt;/downloads.</summary>
    public async Task<string> DownloadFolderAsync() =>
        await _store.GetSettingAsync(DownloadFolderSetting).ConfigureAwait(false) ?? Path.Combine(_home, "downloads");

    public Task SetDownloadFolderAsync(string folder) => _store.SetSettingAsync(DownloadFolderSetting, Path.GetFullPath(folder));

    public async Task<bool> AutoAcceptAsync(DeviceId peer) =>
        await _store.GetSettingAsync(AutoAcceptPrefix + peer.Compact).ConfigureAwait(false) == "1";

    /// <summary>The contacts whose offers are accepted without asking.</summary>
    public async Task<IReadOnlyList<DeviceId>> AutoAcceptPeersAsync() =>
        [.. (await _store.SettingsWithPrefixAsync(AutoAcceptPrefix).ConfigureAwait(false))
            .Where(s => s.Value == "1" && DeviceId.TryParse(s.Key, out _)).Select(s => DeviceId.Parse(s.Key))];

    public Task SetAutoAcceptAsync(DeviceId peer, bool enabled) => _store.SetSettingAsync(AutoAcceptPrefix + peer.Compact, enabled ? "1" : "0");

    public IReadOnlyList<Transfer> All => [.. _transfers.Values.OrderByDescending(t => t.CreatedAt)];

    /// <summary>The transfer whose ID starts with <paramref name="prefix"/> (at least 4 hex characters).</summary>
    public Transfer Find(string prefix)
    {
        var wanted = prefix.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
        var matches = wanted.Length < 4 ? [] : _transfers.Values.Where(t => t.Id.ToString("N").StartsWith(wanted, StringComparison.Ordinal)).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new TransferException($"no transfer or offer has an ID starting with '{prefix}'"),
            _ => throw new TransferException($"'{prefix}' matches {matches.Count} transfers; give more of the ID"),
        };
    }

    /// <summary>Frames of types 0x20–0x2F from an open session.</summary>
    public async ValueTask OnFrameAsync(PeerSession session, Frame frame)
    {
        switch (frame.Type)
        {
            case FrameType.FileOffer:
                await OnOfferAsync(session, frame).ConfigureAwait(false);
                break;
            case FrameType.OfferAnswer:
                await OnAnswerAsync(session, frame).ConfigureAwait(false);
                break;
            case FrameType.FileRequest:
                OnRequest(session, frame);
                break;
            case FrameType.FileBlock:
                await OnBlockAsync(session, frame).ConfigureAwait(false);
                break;
            case FrameType.FileEnd:
                await OnEndAsync(session, frame).ConfigureAwait(false);
                break;
            case FrameType.FileDone:
                await OnDoneAsync(session, frame).ConfigureAwait(false);
                break;
            case FrameType.TransferCancel:
                await OnCancelAsync(session, frame).ConfigureAwait(false);
                break;
            case FrameType.TransferPause:
                OnPause(session, frame);
                break;
            default:
                throw new ProtocolException($"unexpected {frame.Type} frame");
        }
    }

    /// <summary>The peer is linked (again): re-offer what it has not answered, ask again for what is still coming.</summary>
    public async Task OnSessionOpenedAsync(PeerSession session)
    {
        foreach (var transfer in _transfers.Values.Where(t => t.Peer == session.Id.Compact && !t.IsFinal).OrderBy(t => t.CreatedAt))
        {
            if (transfer.Outgoing && transfer.State == TransferState.Offered)
            {
                SendOffer(session, transfer);
            }
            else if (!transfer.Outgoing && transfer.State == TransferState.Active)
            {
                await ResumeReceivingAsync(session, transfer).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Cancels a transfer from this side: the peer is told, partial files are removed.</summary>
    public async Task<Transfer> CancelAsync(Transfer transfer, string reason = "cancelled")
    {
        if (transfer.IsFinal)
        {
            throw new TransferException($"transfer {transfer.ShortId} is already {transfer.State.ToString().ToLowerInvariant()}");
        }
        SessionOf(transfer)?.Link.TrySend(FrameType.TransferCancel, TransferMessages.Cancel(transfer.Id, reason));
        await FinishAsync(transfer, TransferState.Cancelled, reason).ConfigureAwait(false);
        return transfer;
    }

    private PeerSession? SessionOf(Transfer transfer) =>
        DeviceId.TryParse(transfer.Peer, out var id) && _links.Session(id) is { IsOpen: true } session ? session : null;

    private Transfer? Lookup(PeerSession session, Guid id) =>
        _transfers.TryGetValue(id, out var transfer) && transfer.Peer == session.Id.Compact ? transfer : null;

    /// <summary>Moves a transfer to a final state, stops its work and removes partial files.</summary>
    private async Task FinishAsync(Transfer transfer, TransferState state, string? error)
    {
        await transfer.Gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (transfer.IsFinal)
            {
                return;
            }
            transfer.State = state;
            transfer.Error = error;
            StopStreaming(transfer.Id);
            _landing.TryRemove(transfer.Id, out _);
            CloseIncoming(transfer, deleteTemp: state != TransferState.Completed);
        }
        finally
        {
            transfer.Gate.Release();
        }
        await SaveAsync(transfer).ConfigureAwait(false);
        FileLog.Finished(_logger, transfer.ShortId, state, error ?? "");
        Finished?.Invoke(transfer);
    }

    /// <summary>Raised once when a transfer reaches a final state (the outbox clears its staged files then).</summary>
    public event Action<Transfer>? Finished;

    private async Task SaveAsync(Transfer transfer)
    {
        await _store.UpdateTransferAsync(transfer).ConfigureAwait(false);
        _events.Publish("transfer", () => ToJson(transfer));
    }

    /// <summary>The shape of a transfer in the API and the event stream.</summary>
    public object ToJson(Transfer t)
    {
        var peer = DeviceId.Parse(t.Peer);
        var current = t.CurrentFile < t.Files.Count ? t.Files[t.CurrentFile] : null;
        var rate = t.State == TransferState.Active ? t.Rate(_time) : 0;
        var remaining = t.TotalBytes - t.BytesDone;
        return new
        {
            id = t.Id.ToString("N"),
            shortId = t.ShortId,
            peer = peer.ToString(),
            peerName = _contacts.Find(peer)?.DisplayName ?? peer.Short,
            direction = t.Outgoing ? "outgoing" : "incoming",
            state = t.State,
            error = t.Error,
            folder = t.Folder,
            title = Title(t),
            fileCount = t.Files.Count,
            filesDone = t.FilesDone,
            totalBytes = t.TotalBytes,
            bytesDone = t.BytesDone,
            bytesPerSecond = Math.Round(rate),
            etaSeconds = rate > 0 ? Math.Round(remaining / rate, 1) : (double?)null,
            currentFile = current is null || t.IsFinal ? null : new { index = current.Index, path = current.Path, size = current.Size, bytesDone = Math.Min(t.CurrentOffset, current.Size) },
            createdAt = t.CreatedAt,
        };
    }

    /// <summary>What a person calls a transfer: its one file, or the one folder all its files are in.</summary>
    private static string? Title(Transfer t)
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
        return t.Files.All(f => f.Path.StartsWith(top + "/", StringComparison.Ordinal)) ? top + "/" : null;
    }

    /// <summary>The files of a transfer, for listing an offer.</summary>
    public static object FilesJson(Transfer t, int limit) => t.Files.Take(limit).Select(f => new { path = f.Path, size = f.Size, done = f.Done, finalPath = f.FinalPath });

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var transfer in _transfers.Values)
        {
            StopStreaming(transfer.Id);
            CloseIncoming(transfer, deleteTemp: false);
            try
            {
                await LandQueuedAsync(null, transfer).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException or Microsoft.Data.Sqlite.SqliteException)
            {
                // Left as verified temporary files: the next start finds and resumes them.
            }
        }
        if (_pauseWatcher is not null)
        {
            await _pauseWatcher.ConfigureAwait(false);
        }
        if (_progressReporter is not null)
        {
            await _progressReporter.ConfigureAwait(false);
        }
        _stopping.Dispose();
    }
}

internal static partial class FileLog
{
    [LoggerMessage(500, LogLevel.Information, "transfer {Transfer} {State} {Error}")]
    public static partial void Finished(ILogger logger, string transfer, TransferState state, string error);

    [LoggerMessage(501, LogLevel.Information, "offer {Transfer} from {Peer}: {Files} files, {Bytes} bytes")]
    public static partial void Offered(ILogger logger, string transfer, string peer, int files, long bytes);

    [LoggerMessage(502, LogLevel.Warning, "transfer {Transfer} paused: {Reason}")]
    public static partial void Paused(ILogger logger, string transfer, string reason);

    [LoggerMessage(503, LogLevel.Information, "transfer {Transfer} resumes at file {File}, byte {Offset}")]
    public static partial void Resuming(ILogger logger, string transfer, int file, long offset);
}
