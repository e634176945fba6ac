using Parley.Core.Identity;

namespace Parley.Hub;

/// <summary>
/// Where a hub keeps the attachments' ciphertext and counts it against quotas: <see cref="BlobStore"/> on the
/// single hub (files and SQLite), <see cref="ClusterBlobStore"/> in a cluster (the JetStream object store,
/// so an upload through one hub can be fetched through any other).
/// </summary>
internal interface IBlobStore
{
    /// <summary>
    /// Records that <paramref name="owner"/> holds the blob in <paramref name="scope"/> ("#room" or a recipient's ID) if quotas
    /// allow; when the store lacks the bytes, reserves their size for the upload and says to send them. Refusal null when allowed.
    /// </summary>
    ValueTask<(string? Refusal, bool SendBytes)> AdmitAsync(DeviceId owner, string scope, byte[] id, long size, bool isRoom, DateTimeOffset now);

    /// <summary>A new temporary file name for an upload's bytes on this hub's disk.</summary>
    string TempPath(byte[] id);

    /// <summary>
    /// An upload ended: its reservation is released; when it succeeded (<paramref name="temp"/> holds bytes whose hash held)
    /// they are stored and the holder recorded. Null when stored (or nothing was to be), else why not.
    /// </summary>
    ValueTask<string?> FinishAsync(DeviceId owner, string scope, byte[] id, long size, string? temp, DateTimeOffset now);

    /// <summary>A file on this hub's disk holding the blob's checked bytes, or null when the store does not hold it.</summary>
    ValueTask<string?> LocalCopyAsync(byte[] id, CancellationToken cancellationToken);
}
