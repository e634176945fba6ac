using System.Collections.Concurrent;
using Parley.Core.Attachments;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Hub;

namespace Parley.Node.Attachments;

/// <summary>
/// The node's side of the hub's blob store: uploads a ciphertext file (a put; if the hub lacks it, the
/// chunks, then the hub's verdict) and downloads one into a file. Each request waits at most
/// <see cref="Silence"/> between answers; a closed hub link fails them all at once.
/// </summary>
internal sealed class BlobClient(IHubChannel channel, TimeProvider time) : IHubClientFeature
{
    /// <summary>How long the hub may stay silent in the middle of a request. 30 s.</summary>
    public static readonly TimeSpan Silence = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<uint, TaskCompletionSource<BlobResult>> _puts = new();
    private readonly ConcurrentDictionary<uint, Download> _gets = new();
    private readonly RequestIds _ids = new();

    public IReadOnlyList<FrameSpec> Frames { get; } =
        [FrameSpec.Of<BlobResult>(FrameType.BlobResult), FrameSpec.Of<BlobData>(FrameType.BlobData), FrameSpec.Of<BlobError>(FrameType.BlobError)];

    /// <summary>Puts the ciphertext at <paramref name="path"/> into the hub's store for a room or a recipient; returns null when stored, else the hub's reason.</summary>
    public async Task<string?> UploadAsync(string path, byte[] blobId, string? room, DeviceId? recipient, CancellationToken ct)
    {
        var link = channel.RequireLink();
        var id = _ids.Next();
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, useAsync: true);
        var answer = await AskAsync(id, () => link.TrySend(FrameType.BlobPut, new BlobPut(id, blobId, file.Length, room, recipient).ToArray()), ct).ConfigureAwait(false);
        if (answer.Status != BlobStatus.SendBytes)
        {
            return answer.Status == BlobStatus.Stored ? null : answer.Reason;
        }
        var verdict = Expect(id);
        var buffer = new byte[BlobChunk.MaxData];
        for (long offset = 0; offset < file.Length;)
        {
            var read = await file.ReadAsync(buffer, ct).ConfigureAwait(false);
            if (!await link.SendBulkAsync(FrameType.BlobChunk, new BlobChunk(id, offset, buffer.AsMemory(0, read)).ToArray(), cancellationToken: ct).ConfigureAwait(false))
            {
                _puts.TryRemove(id, out _);
                throw new HubUnavailableException("the hub link closed while the attachment was uploading");
            }
            offset += read;
        }
        var final = await WaitAsync(id, verdict.Task, ct).ConfigureAwait(false);
        return final.Status == BlobStatus.Stored ? null : final.Reason;
    }

    /// <summary>
    /// Fetches a blob of <paramref name="size"/> bytes (the size its reference gives) into <paramref name="target"/> (created);
    /// returns null when whole, else why not (the file is then deleted).
    /// </summary>
    public async Task<string?> DownloadAsync(byte[] blobId, long size, string target, CancellationToken ct)
    {
        var link = channel.RequireLink();
        var id = _ids.Next();
        var download = new Download(OwnerOnly.CreateFile(target), size, time);
        _gets[id] = download;
        string? error = null;
        try
        {
            if (!link.TrySend(FrameType.BlobGet, new BlobGet(id, blobId, 0).ToArray()))
            {
                return error = "the hub is not reachable right now";
            }
            return error = await download.Done.Task.WaitAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            _gets.TryRemove(id, out _);
            download.Close();
            if (error is not null)
            {
                File.Delete(target);
            }
        }
    }

    public ValueTask OnFrameAsync(IPeerLink hub, Frame frame)
    {
        switch (frame.Type)
        {
            case FrameType.BlobResult:
                var result = frame.Read<BlobResult>();
                if (_puts.TryRemove(result.PutId, out var waiting))
                {
                    waiting.TrySetResult(result);
                }
                break;
            case FrameType.BlobData:
                var data = frame.Read<BlobData>();
                if (_gets.TryGetValue(data.RequestId, out var download))
                {
                    download.Take(data);
                }
                break;
            case FrameType.BlobError:
                var refused = frame.Read<BlobError>();
                if (_gets.TryGetValue(refused.RequestId, out var failed))
                {
                    failed.Done.TrySetResult(refused.Reason);
                }
                break;
        }
        return ValueTask.CompletedTask;
    }

    public void OnHubLost()
    {
        foreach (var put in _puts.Values)
        {
            put.TrySetException(new HubUnavailableException("the hub link closed while the attachment was uploading"));
        }
        foreach (var get in _gets.Values)
        {
            get.Done.TrySetResult("the hub link closed while the attachment was downloading");
        }
    }

    private TaskCompletionSource<BlobResult> Expect(uint id) =>
        _puts[id] = new TaskCompletionSource<BlobResult>(TaskCreationOptions.RunContinuationsAsynchronously);

    private async Task<BlobResult> AskAsync(uint id, Func<bool> send, CancellationToken ct)
    {
        var answer = Expect(id);
        if (!send())
        {
            _puts.TryRemove(id, out _);
            throw new HubUnavailableException("the hub is not reachable right now");
        }
        return await WaitAsync(id, answer.Task, ct).ConfigureAwait(false);
    }

    private async Task<BlobResult> WaitAsync(uint id, Task<BlobResult> answer, CancellationToken ct)
    {
        try
        {
            return await answer.WaitAsync(Silence, time, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _puts.TryRemove(id, out _);
            throw new HubUnavailableException("the hub did not answer the attachment upload in time");
        }
    }

    /// <summary>One download: bytes written as they come, in order; done with null when the last arrives, else with why not.</summary>
    private sealed class Download
    {
        private readonly ITimer _silence;
        private readonly long _size;
        private readonly FileStream _file;
        private long _next;

        public Download(FileStream file, long size, TimeProvider time)
        {
            _file = file;
            _size = size;
            _silence = time.CreateTimer(_ => Done.TrySetResult("the hub stopped sending the attachment"), null, Silence, Timeout.InfiniteTimeSpan);
            Done.Task.ContinueWith(_ => _silence.Dispose(), TaskScheduler.Default);
        }

        public TaskCompletionSource<string?> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        // Takes run on the hub link's receive loop while the asker may give up (cancelled, silence): the lock keeps a write off a closed file.
        public void Take(BlobData data)
        {
            lock (_file)
            {
                if (Done.Task.IsCompleted)
                {
                    return;
                }
                // The hub is not trusted with the size: more than the reference names would only fill the disk before the hash check.
                if (data.Total != _size || _next + data.Data.Length > _size)
                {
                    Done.TrySetResult($"the hub sent more of the attachment than the {_size} bytes its message names");
                    return;
                }
                if (data.Offset != _next)
                {
                    Done.TrySetResult("the hub sent the attachment out of order");
                    return;
                }
                _file.Write(data.Data.Span);
                _next += data.Data.Length;
                _silence.Change(Silence, Timeout.InfiniteTimeSpan);
                if (_next == _size)
                {
                    _file.Flush();
                    Done.TrySetResult(null);
                }
            }
        }

        public void Close()
        {
            lock (_file)
            {
                Done.TrySetResult("the download ended");
                _file.Dispose();
            }
        }
    }
}
