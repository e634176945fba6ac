using System.Security.Cryptography;
using Parley.Core.Attachments;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Hub;

/// <summary>
/// The hub's blob store for attachments (see <see cref="BlobStore"/>): members upload a ciphertext once
/// (a put, then its chunks in order; the hub checks the SHA-256 before keeping it) for a room they are in
/// or for one recipient, and fetch one by its ID. Uploads under way are bounded per member
/// (<see cref="MaxUploadsPerMember"/>, their bytes reserved against quotas), and so are fetches being served.
/// </summary>
internal sealed class BlobFeature(IBlobStore store, HubRooms rooms, TimeProvider time) : IHubFeature
{
    /// <summary>Uploads one member may have under way at once. 4.</summary>
    public const int MaxUploadsPerMember = 4;

    /// <summary>Fetches the hub serves one member at once; more are refused until one ends. 4.</summary>
    public const int MaxFetchesPerMember = 4;

    private readonly Dictionary<(Member, uint), BlobUpload> _uploads = [];

    // Puts whose admission is under way (in a cluster it asks NATS): they count as uploads, and a member leaving ends them.
    private readonly HashSet<(Member, uint)> _admitting = [];
    private readonly Dictionary<Member, int> _fetches = [];
    private readonly Lock _lock = new();

    public IReadOnlyList<FrameSpec> Takes { get; } =
        [FrameSpec.Of<BlobPut>(FrameType.BlobPut), FrameSpec.Of<BlobChunk>(FrameType.BlobChunk), FrameSpec.Of<BlobGet>(FrameType.BlobGet)];

    public IReadOnlyList<FrameSpec> Sends { get; } =
        [FrameSpec.Of<BlobResult>(FrameType.BlobResult), FrameSpec.Of<BlobData>(FrameType.BlobData), FrameSpec.Of<BlobError>(FrameType.BlobError)];

    // Chunks and data are bulk: they spend the room-traffic allowance (256 KiB each), not the request one.
    public HubBudget BudgetFor(FrameType type) => type == FrameType.BlobChunk ? HubBudget.RoomTraffic : HubBudget.Requests;

    public ValueTask OnFrameAsync(Member member, Frame frame)
    {
        switch (frame.Type)
        {
            case FrameType.BlobPut:
                // Not awaited: in a cluster admission asks NATS, which may take seconds while it fails over, and the
                // member's link (its keepalives included) must not wait for that.
                _ = PutAsync(member, frame.Read<BlobPut>());
                break;
            case FrameType.BlobChunk:
                Chunk(member, frame.Read<BlobChunk>());
                break;
            case FrameType.BlobGet:
                Get(member, frame.Read<BlobGet>());
                break;
        }
        return ValueTask.CompletedTask;
    }

    private async Task PutAsync(Member member, BlobPut put)
    {
        var scope = put.Room is { } room ? "#" + room : put.Recipient!.Value.Compact;
        string? refusal = put.Room is { } name && !rooms.IsMember(name, member.Id) ? $"you are not in #{name}; nothing was sent" : null;
        lock (_lock)
        {
            // A put under an ID still uploading would replace that upload and strand its open file and reservation.
            if (refusal is null && (_uploads.ContainsKey((member, put.PutId)) || _admitting.Contains((member, put.PutId))))
            {
                refusal = $"put {put.PutId} is already uploading; nothing more was sent";
            }
            else if (refusal is null && _uploads.Keys.Concat(_admitting).Count(k => k.Item1 == member) >= MaxUploadsPerMember)
            {
                refusal = $"more than {MaxUploadsPerMember} attachments are uploading at once; try again when one is done";
            }
            else if (refusal is null)
            {
                _admitting.Add((member, put.PutId));
            }
        }
        var sendBytes = false;
        if (refusal is null)
        {
            (refusal, sendBytes) = await store.AdmitAsync(member.Id, scope, put.BlobId, put.Size, put.Room is not null, time.GetUtcNow()).ConfigureAwait(false);
            bool stillLinked;
            lock (_lock)
            {
                stillLinked = _admitting.Remove((member, put.PutId)); // gone when the member left meanwhile
            }
            if (!stillLinked)
            {
                if (sendBytes)
                {
                    await store.FinishAsync(member.Id, scope, put.BlobId, put.Size, null, time.GetUtcNow()).ConfigureAwait(false); // its reservation
                }
                return;
            }
        }
        if (refusal is not null || !sendBytes)
        {
            member.Send(FrameType.BlobResult, new BlobResult(put.PutId, refusal is null ? BlobStatus.Stored : BlobStatus.Refused, refusal ?? ""));
            return;
        }
        var upload = new BlobUpload(put, scope, store.TempPath(put.BlobId));
        lock (_lock)
        {
            _uploads[(member, put.PutId)] = upload;
        }
        member.Send(FrameType.BlobResult, new BlobResult(put.PutId, BlobStatus.SendBytes, ""));
    }

    private void Chunk(Member member, BlobChunk chunk)
    {
        BlobUpload? upload;
        lock (_lock)
        {
            _uploads.TryGetValue((member, chunk.PutId), out upload);
        }
        if (upload is null)
        {
            return; // an upload that ended (refused, or its link replaced): nothing is held for it
        }
        var error = upload.Append(chunk);
        if (error is null && !upload.Complete)
        {
            return;
        }
        // Not awaited: in a cluster storing the bytes takes a while, and the member's other frames need not wait for it.
        _ = EndAsync(member, chunk.PutId, upload, error ?? (upload.HashHolds ? null : "the attachment's bytes do not match their SHA-256; nothing was stored"));
    }

    private async Task EndAsync(Member member, uint putId, BlobUpload upload, string? error)
    {
        lock (_lock)
        {
            _uploads.Remove((member, putId));
        }
        upload.Close();
        if (error is not null)
        {
            File.Delete(upload.TempPath);
        }
        // Called on failure too: it releases the upload's reservation.
        var notStored = await store.FinishAsync(member.Id, upload.Scope, upload.Put.BlobId, upload.Put.Size, error is null ? upload.TempPath : null, time.GetUtcNow())
            .ConfigureAwait(false);
        error ??= notStored;
        member.Send(FrameType.BlobResult, new BlobResult(putId, error is null ? BlobStatus.Stored : BlobStatus.Refused, error ?? ""));
    }

    private void Get(Member member, BlobGet get)
    {
        lock (_lock)
        {
            if (_fetches.GetValueOrDefault(member) >= MaxFetchesPerMember)
            {
                member.Send(FrameType.BlobError, new BlobError(get.RequestId, $"more than {MaxFetchesPerMember} attachments are downloading at once; try again"));
                return;
            }
            _fetches[member] = _fetches.GetValueOrDefault(member) + 1;
        }
        _ = ServeAsync(member, get);
    }

    /// <summary>Sends the blob from the offset on as bulk frames (waiting for room in the member's queue).</summary>
    private async Task ServeAsync(Member member, BlobGet get)
    {
        try
        {
            FileStream file;
            try
            {
                var path = await store.LocalCopyAsync(get.BlobId, CancellationToken.None).ConfigureAwait(false) ?? throw new FileNotFoundException();
                file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1, useAsync: true);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                member.Send(FrameType.BlobError, new BlobError(get.RequestId, "this hub does not hold that attachment (never stored, or past its retention)"));
                return;
            }
            await using (file.ConfigureAwait(false))
            {
                var total = file.Length;
                var offset = Math.Min(get.Offset, total);
                file.Position = offset;
                var buffer = new byte[BlobChunk.MaxData];
                do
                {
                    var read = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, total - offset))).ConfigureAwait(false);
                    var data = new BlobData(get.RequestId, offset, total, buffer.AsMemory(0, read)).ToArray();
                    if (!await member.Link.SendBulkAsync(FrameType.BlobData, data).ConfigureAwait(false))
                    {
                        return;
                    }
                    offset += read;
                }
                while (offset < total);
            }
        }
        finally
        {
            lock (_lock)
            {
                var left = _fetches.GetValueOrDefault(member) - 1;
                if (left > 0)
                {
                    _fetches[member] = left;
                }
                else
                {
                    _fetches.Remove(member);
                }
            }
        }
    }

    /// <summary>A member left: its uploads under way are dropped (their temporary files and reservations with them).</summary>
    public void OnMemberDisconnected(Member member)
    {
        List<(uint, BlobUpload)> ended;
        lock (_lock)
        {
            ended = [.. _uploads.Where(u => u.Key.Item1 == member).Select(u => (u.Key.Item2, u.Value))];
            _admitting.RemoveWhere(a => a.Item1 == member);
        }
        foreach (var (id, upload) in ended)
        {
            _ = EndAsync(member, id, upload, "the link closed");
        }
    }

    /// <summary>One upload under way: its bytes so far in a temporary file, hashed as they come.</summary>
    private sealed class BlobUpload(BlobPut put, string scope, string tempPath)
    {
        private readonly FileStream _file = OwnerOnly.CreateFile(tempPath);
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long _received;

        public BlobPut Put { get; } = put;

        public string Scope { get; } = scope;

        public string TempPath { get; } = tempPath;

        public bool Complete => _received == Put.Size;

        public bool HashHolds { get; private set; }

        public string? Append(BlobChunk chunk)
        {
            if (chunk.Offset != _received || _received + chunk.Data.Length > Put.Size)
            {
                return "attachment bytes out of order or past the size announced; nothing was stored";
            }
            _file.Write(chunk.Data.Span);
            _hash.AppendData(chunk.Data.Span);
            _received += chunk.Data.Length;
            if (Complete)
            {
                _file.Flush(flushToDisk: true);
                HashHolds = CryptographicOperations.FixedTimeEquals(_hash.GetHashAndReset(), Put.BlobId);
            }
            return null;
        }

        public void Close()
        {
            _file.Dispose();
            _hash.Dispose();
        }
    }
}
