using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream.Models;
using NATS.Client.KeyValueStore;
using NATS.Client.ObjectStore;
using NATS.Client.ObjectStore.Models;
using Parley.Core.Identity;

namespace Parley.Hub;

/// <summary>
/// The attachments' ciphertext in a cluster: each blob an object in the JetStream object store
/// <c>parley-blobs</c> (named by its SHA-256, as on a single hub), each holder a key in the KV bucket
/// <c>parley-blob-holders</c> whose age limit is the retention (<see cref="HubOptions.BlobMaxAge"/>).
/// A holder's key carries everything the quotas count (<c>blob.owner.scope.size</c>), so the member's,
/// room's and cluster's sums are key listings. Uploads land in a temporary file on this hub, are stored
/// in NATS before the member hears "stored", and stay as this hub's cached copy; a blob fetched from
/// NATS is size-capped and hashed before it is served (see <see cref="ClusterBlobStore"/>'s Fetching part).
/// </summary>
internal sealed partial class ClusterBlobStore : IBlobStore, IAsyncDisposable
{
    private const string ObjectBucket = "parley-blobs";
    private const string HolderBucket = "parley-blob-holders";
    private const string HolderStream = "KV_" + HolderBucket; // the stream under a key-value bucket, as NATS names it
    private const string HolderSubjects = "$KV." + HolderBucket + "."; // a key's subject in that stream

    // A blob nobody holds any more goes at the next sweep, unless it is this young (an upload between storing the bytes and its holder).
    private static readonly TimeSpan OrphanGrace = TimeSpan.FromHours(1);
    private static readonly TimeSpan SweepEvery = TimeSpan.FromHours(1);

    // One put of a blob (25 MiB at most) takes well under a second on a quiet cluster; a try and a failover fit in a node's 30 s wait.
    private static readonly TimeSpan PutTimeout = TimeSpan.FromSeconds(8);
    // Listing holder keys opens a consumer, which takes seconds while the cluster elects a new leader after losing a server.
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(7);

    private readonly NatsCluster _nats;
    private readonly HubOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _quota = new(1, 1);
    private readonly BlobReservations _reserved = new();
    private INatsObjStore _objects = null!;
    private INatsKVStore _holders = null!;
    private ITimer? _sweep;

    public ClusterBlobStore(NatsCluster nats, HubOptions options, ILogger logger)
    {
        _nats = nats;
        _options = options;
        _logger = logger;
        Folder = Path.Combine(options.Home, "blob-cache");
        OwnerOnly.CreateFolder(Folder);
        foreach (var leftover in Directory.EnumerateFiles(Folder, "*.part-*"))
        {
            File.Delete(leftover);
        }
    }

    /// <summary>This hub's copies: uploads through it, and blobs it fetched from NATS and checked.</summary>
    public string Folder { get; }

    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        _objects = await new NatsObjContext(_nats.JetStream).CreateObjectStoreAsync(new NatsObjConfig(ObjectBucket)
        {
            NumberOfReplicas = _nats.Replicas,
            Storage = NatsObjStorageType.File,
        }, cancellationToken).ConfigureAwait(false);
        _holders = await new NatsKVContext(_nats.JetStream).CreateOrUpdateStoreAsync(new NatsKVConfig(HolderBucket)
        {
            NumberOfReplicas = _nats.Replicas,
            History = 1,
            MaxAge = _options.BlobMaxAge,
            Storage = NatsKVStorageType.File,
        }, cancellationToken).ConfigureAwait(false);
        _sweep = _options.TimeProvider.CreateTimer(_ => _ = SweepAsync(), null, TimeSpan.FromMinutes(1), SweepEvery);
    }

    public string TempPath(byte[] id) => Path.Combine(Folder, Convert.ToHexStringLower(id) + ".part-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));

    public async ValueTask<(string? Refusal, bool SendBytes)> AdmitAsync(DeviceId owner, string scope, byte[] id, long size, bool isRoom, DateTimeOffset now)
    {
        if (BlobQuota.TooLarge(_options, size) is { } tooLarge)
        {
            return (tooLarge, false);
        }
        var hex = Convert.ToHexStringLower(id);
        var scopeKey = Convert.ToHexStringLower(Encoding.UTF8.GetBytes(scope));
        await _quota.WaitAsync().ConfigureAwait(false);
        try
        {
            var sums = await ClusterRetry.RunAsync(_ => SumsAsync(hex, owner, scopeKey, isRoom), RequestTimeout, _logger, "counting attachments")
                .ConfigureAwait(false);
            if (sums.HeldAlready)
            {
                return (null, false); // held already: sent again after a dropped link
            }
            if (BlobQuota.Check(_options, scope, size, sums.Mine + _reserved.Of(owner), sums.Room, sums.Stored is { } stored ? stored + _reserved.Total : null) is { } refusal)
            {
                return (refusal, false);
            }
            if (sums.Stored is null)
            {
                await HoldAsync(hex, owner, scopeKey, size).ConfigureAwait(false);
                return (null, false);
            }
            _reserved.Reserve(owner, size);
            return (null, true);
        }
        catch (Exception e) when (e is NatsException || ClusterRetry.IsUnanswered(e))
        {
            ClusterLog.Failed(_logger, "admitting an attachment", e.GetType().Name);
            return ("this hub cannot reach its cluster's attachment store now; try again", false);
        }
        finally
        {
            _quota.Release();
        }
    }

    /// <summary>
    /// What the quotas count, read from NATS: whether this holder is recorded, the owner's and room's bytes, and the bytes
    /// stored (null when the blob is there and held, so needs no bytes). Only reads, so it may be asked again.
    /// </summary>
    private async Task<(bool HeldAlready, long Mine, long? Room, long? Stored)> SumsAsync(string hex, DeviceId owner, string scopeKey, bool isRoom)
    {
        if (await SumAsync($"{hex}.{owner.Compact}.{scopeKey}.*").ConfigureAwait(false) > 0)
        {
            return (true, 0, null, null);
        }
        var mine = await SumAsync($"*.{owner.Compact}.*.*").ConfigureAwait(false);
        long? room = isRoom ? await SumAsync($"*.*.{scopeKey}.*").ConfigureAwait(false) : null;
        // Held means stored and still held by someone: a blob whose holders all expired may be swept any moment, so it is asked for again.
        var held = await SumAsync($"{hex}.*.*.*").ConfigureAwait(false) > 0 && await HasObjectAsync(hex).ConfigureAwait(false);
        return (false, mine, room, held ? null : await StoredBytesAsync().ConfigureAwait(false));
    }

    public async ValueTask<string?> FinishAsync(DeviceId owner, string scope, byte[] id, long size, string? temp, DateTimeOffset now)
    {
        try
        {
            if (temp is null)
            {
                return null;
            }
            var hex = Convert.ToHexStringLower(id);
            var error = await StoreAsync(hex, temp).ConfigureAwait(false);
            if (error is null)
            {
                await HoldAsync(hex, owner, Convert.ToHexStringLower(Encoding.UTF8.GetBytes(scope)), size).ConfigureAwait(false);
                File.Move(temp, Path.Combine(Folder, hex), overwrite: true);
            }
            return error;
        }
        catch (Exception e) when (e is NatsException || ClusterRetry.IsUnanswered(e))
        {
            ClusterLog.Failed(_logger, "recording an attachment's holder", e.GetType().Name);
            return "this hub could not record the attachment in its cluster's store; try again";
        }
        finally
        {
            if (temp is not null)
            {
                File.Delete(temp); // gone already when it became this hub's copy
            }
            await _quota.WaitAsync().ConfigureAwait(false);
            _reserved.Release(owner, size);
            _quota.Release();
        }
    }

    /// <summary>Puts the bytes in NATS, trying again while the cluster fails over (a server lost mid-upload); null once stored.</summary>
    private async Task<string?> StoreAsync(string hex, string temp)
    {
        try
        {
            // A put left behind by a timeout stores the same bytes under the same name: harmless.
            await ClusterRetry.RunAsync(async cancel =>
            {
                var file = File.OpenRead(temp);
                return await _objects.PutAsync(new ObjectMetadata { Name = hex }, file, leaveOpen: false, cancel).ConfigureAwait(false);
            }, PutTimeout, _logger, $"storing attachment {hex[..12]}").ConfigureAwait(false);
            return null;
        }
        catch (Exception e) when (e is NatsException || ClusterRetry.IsUnanswered(e))
        {
            ClusterLog.Failed(_logger, $"storing attachment {hex[..12]}", e.GetType().Name);
            return "this hub could not store the attachment in its cluster's store; nothing was stored";
        }
    }

    private Task<ulong> HoldAsync(string hex, DeviceId owner, string scopeKey, long size) =>
        ClusterRetry.RunAsync(cancel => _holders.PutAsync($"{hex}.{owner.Compact}.{scopeKey}.{size}", "1", cancellationToken: cancel).AsTask(),
            RequestTimeout, _logger, "recording an attachment's holder");

    private async Task<bool> HasObjectAsync(string hex)
    {
        try
        {
            var info = await _objects.GetInfoAsync(hex).ConfigureAwait(false);
            return !info.Deleted;
        }
        catch (NatsObjNotFoundException)
        {
            return false;
        }
    }

    private async Task<long> StoredBytesAsync() => (long)(await _objects.GetStatusAsync().ConfigureAwait(false)).Info.State.Bytes;

    /// <summary>
    /// The sizes in the holder keys <paramref name="filter"/> matches; keys that do not parse (not ours) count nothing.
    /// Read from the stream's subject counts (answered by the stream's leader), not by listing the bucket's keys: a key
    /// listing makes a consumer, which NATS 2.9 may place on a server killed a minute ago, and then it never answers
    /// (half of the listings failed for over a minute after a kill, measured; the subject counts answered once a new
    /// leader was elected, about 10 s).
    /// </summary>
    private async Task<long> SumAsync(string filter)
    {
        const int MaxPages = 1000; // a server that keeps answering with more subjects cannot keep us here
        long sum = 0;
        var offset = 0;
        for (var page = 0; page < MaxPages; page++)
        {
            var stream = await _nats.JetStream.GetStreamAsync(HolderStream, new StreamInfoRequest { SubjectsFilter = HolderSubjects + filter, Offset = offset })
                .ConfigureAwait(false);
            if (stream.Info.State.Subjects is not { Count: > 0 } subjects)
            {
                return sum;
            }
            foreach (var subject in subjects.Keys)
            {
                var size = subject.AsSpan(subject.LastIndexOf('.') + 1);
                if (long.TryParse(size, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var bytes) && bytes <= _options.BlobMaxBytes)
                {
                    sum += bytes;
                }
            }
            offset += subjects.Count;
        }
        throw new NatsException($"the holder counts did not end after {MaxPages} pages");
    }

    public async ValueTask DisposeAsync()
    {
        if (_sweep is not null)
        {
            await _sweep.DisposeAsync().ConfigureAwait(false);
        }
        _quota.Dispose();
    }
}
