using System.Security.Cryptography;
using Parley.Core.Identity;

namespace Parley.Hub;

/// <summary>
/// The attachments' ciphertext, on disk under the hub's home (<c>blobs/</c>, each file named by its
/// SHA-256, written under a temporary name and renamed once its hash held) with rows in hub.db: one per
/// blob, and one per (blob, uploader, room or recipient) that holds it there. A blob is stored once
/// however many rooms and members hold it; each holder is charged its size once, against its own
/// quota and its room's. Rows older than <see cref="HubOptions.BlobMaxAge"/> go, and a blob no row
/// holds goes with them. The hub can read none of it: the keys travel only inside sealed messages.
/// </summary>
internal sealed class BlobStore : IBlobStore
{
    private readonly HubDatabase _database;
    private readonly HubOptions _options;
    private readonly Lock _quota = new();

    private readonly BlobReservations _reserved = new();

    public BlobStore(HubDatabase database, HubOptions options)
    {
        _database = database;
        _options = options;
        Folder = Path.Combine(options.Home, "blobs");
        OwnerOnly.CreateFolder(Folder);
        // Uploads that were under way when the hub last stopped (a crash, a kill) left their temporary files; no upload outlives the process.
        foreach (var leftover in Directory.EnumerateFiles(Folder, "*.part-*"))
        {
            File.Delete(leftover);
        }
        _database.Execute("""
            CREATE TABLE IF NOT EXISTS blobs (id TEXT PRIMARY KEY, size INTEGER NOT NULL, stored_at INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS blob_holders (id TEXT NOT NULL, owner TEXT NOT NULL, scope TEXT NOT NULL, size INTEGER NOT NULL,
                stored_at INTEGER NOT NULL, PRIMARY KEY (id, owner, scope));
            CREATE INDEX IF NOT EXISTS blob_holders_by_owner ON blob_holders (owner);
            CREATE INDEX IF NOT EXISTS blob_holders_by_scope ON blob_holders (scope);
            """);
    }

    /// <summary>Where the blob files are.</summary>
    public string Folder { get; }

    public string PathOf(byte[] id) => Path.Combine(Folder, Convert.ToHexStringLower(id));

    public bool Has(byte[] id) => File.Exists(PathOf(id));

    public ValueTask<(string? Refusal, bool SendBytes)> AdmitAsync(DeviceId owner, string scope, byte[] id, long size, bool isRoom, DateTimeOffset now)
    {
        var refusal = TryAdmit(owner, scope, id, size, isRoom, now, out var sendBytes);
        return ValueTask.FromResult((refusal, sendBytes));
    }

    public ValueTask<string?> FinishAsync(DeviceId owner, string scope, byte[] id, long size, string? temp, DateTimeOffset now)
    {
        Finish(owner, scope, id, size, temp, now);
        return ValueTask.FromResult<string?>(null);
    }

    public ValueTask<string?> LocalCopyAsync(byte[] id, CancellationToken cancellationToken) => ValueTask.FromResult(Has(id) ? PathOf(id) : null);

    /// <summary>
    /// Records that <paramref name="owner"/> holds the blob in <paramref name="scope"/> ("#room" or a recipient's ID),
    /// if quotas allow; when the hub lacks the bytes, reserves their size for the upload and sets <paramref name="sendBytes"/>
    /// (decided after pruning, so a blob past its retention is asked for again). Null when allowed, else why not.
    /// </summary>
    public string? TryAdmit(DeviceId owner, string scope, byte[] id, long size, bool isRoom, DateTimeOffset now, out bool sendBytes)
    {
        sendBytes = false;
        if (BlobQuota.TooLarge(_options, size) is { } tooLarge)
        {
            return tooLarge;
        }
        var hex = Convert.ToHexStringLower(id);
        lock (_quota)
        {
            Prune(now);
            if (Count("SELECT count(*) FROM blob_holders WHERE id = $id AND owner = $owner AND scope = $scope;",
                ("$id", hex), ("$owner", owner.Compact), ("$scope", scope)) > 0)
            {
                return null; // held already: sent again after a dropped link
            }
            var mine = Count("SELECT coalesce(sum(size), 0) FROM blob_holders WHERE owner = $owner;", ("$owner", owner.Compact)) + _reserved.Of(owner);
            long? room = isRoom ? Count("SELECT coalesce(sum(size), 0) FROM blob_holders WHERE scope = $scope;", ("$scope", scope)) : null;
            long? total = Has(id) ? null : Count("SELECT coalesce(sum(size), 0) FROM blobs;") + _reserved.Total;
            if (BlobQuota.Check(_options, scope, size, mine, room, total) is { } refusal)
            {
                return refusal;
            }
            if (!Has(id))
            {
                _reserved.Reserve(owner, size);
                sendBytes = true;
            }
            else
            {
                Hold(hex, owner, scope, size, now);
            }
        }
        return null;
    }

    /// <summary>An upload ended: its reservation is released; when it succeeded the file moves into place and the holder is recorded.</summary>
    public void Finish(DeviceId owner, string scope, byte[] id, long size, string? temp, DateTimeOffset now)
    {
        lock (_quota)
        {
            _reserved.Release(owner, size);
            if (temp is not null)
            {
                File.Move(temp, PathOf(id), overwrite: true);
                Hold(Convert.ToHexStringLower(id), owner, scope, size, now);
            }
        }
    }

    /// <summary>A temporary file for an upload, in the store's folder (so the rename stays on one disk).</summary>
    public string TempPath(byte[] id) => Path.Combine(Folder, Convert.ToHexStringLower(id) + ".part-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));

    private void Hold(string hex, DeviceId owner, string scope, long size, DateTimeOffset now)
    {
        var at = now.ToUnixTimeMilliseconds();
        _database.Execute("INSERT OR IGNORE INTO blobs (id, size, stored_at) VALUES ($id, $size, $at);", ("$id", hex), ("$size", size), ("$at", at));
        _database.Execute("INSERT OR REPLACE INTO blob_holders (id, owner, scope, size, stored_at) VALUES ($id, $owner, $scope, $size, $at);",
            ("$id", hex), ("$owner", owner.Compact), ("$scope", scope), ("$size", size), ("$at", at));
    }

    /// <summary>Drops holders past their age, then blobs nobody holds (rows and files).</summary>
    private void Prune(DateTimeOffset now)
    {
        var cutoff = (now - _options.BlobMaxAge).ToUnixTimeMilliseconds();
        _database.Execute("DELETE FROM blob_holders WHERE stored_at < $cutoff;", ("$cutoff", cutoff));
        foreach (var orphan in _database.Query("SELECT id FROM blobs WHERE id NOT IN (SELECT id FROM blob_holders);", r => r.GetString(0)))
        {
            File.Delete(Path.Combine(Folder, orphan));
            _database.Execute("DELETE FROM blobs WHERE id = $id;", ("$id", orphan));
        }
    }

    private long Count(string sql, params (string, object)[] parameters) => _database.Query(sql, r => r.GetInt64(0), parameters)[0];
}
