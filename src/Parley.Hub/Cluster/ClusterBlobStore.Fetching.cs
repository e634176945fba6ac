using System.Security.Cryptography;
using NATS.Client.Core;
using NATS.Client.ObjectStore;

namespace Parley.Hub;

internal sealed partial class ClusterBlobStore
{
    // A cached copy unused this long is dropped from this hub's disk (the cluster still holds the blob).
    private static readonly TimeSpan CacheAge = TimeSpan.FromHours(1);

    /// <summary>
    /// This hub's copy of the blob, fetched from NATS when it has none. What NATS returns is untrusted (anyone who can
    /// reach NATS can write there): the announced size must be within the cap, no more bytes than announced are written,
    /// and the copy is kept only if its length and SHA-256 are the blob's.
    /// </summary>
    public async ValueTask<string?> LocalCopyAsync(byte[] id, CancellationToken cancellationToken)
    {
        var hex = Convert.ToHexStringLower(id);
        var path = Path.Combine(Folder, hex);
        if (File.Exists(path))
        {
            File.SetLastWriteTimeUtc(path, _options.TimeProvider.GetUtcNow().UtcDateTime);
            return path;
        }
        try
        {
            return await ClusterRetry.RunAsync(cancel => DownloadAsync(id, hex, path, cancel), PutTimeout, _logger, $"fetching attachment {hex[..12]}")
                .WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (NatsObjNotFoundException)
        {
            return null;
        }
        catch (Exception e) when (e is NatsObjException or InvalidDataException)
        {
            return Malformed(hex, e.Message);
        }
        catch (Exception e) when (e is NatsException || ClusterRetry.IsUnanswered(e))
        {
            ClusterLog.Failed(_logger, $"fetching attachment {hex[..12]}", e.GetType().Name);
            return null;
        }
    }

    /// <summary>One try at fetching the blob into this hub's copy at <paramref name="path"/>; null when what NATS holds is not the blob.</summary>
    private async Task<string?> DownloadAsync(byte[] id, string hex, string path, CancellationToken cancellationToken)
    {
        var temp = TempPath(id);
        try
        {
            var info = await _objects.GetInfoAsync(hex, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (info.Deleted || info.Size > (ulong)_options.BlobMaxBytes)
            {
                return info.Deleted ? null : Malformed(hex, $"announces {info.Size} bytes");
            }
            var size = (long)info.Size;
            var file = new CappedFile(temp, size);
            await using (file.ConfigureAwait(false))
            {
                await _objects.GetAsync(hex, file, leaveOpen: true, cancellationToken).ConfigureAwait(false);
                file.Flush(flushToDisk: true);
                if (file.Length != size)
                {
                    return Malformed(hex, $"{file.Length} bytes where {size} were announced");
                }
                file.Position = 0;
                if (!CryptographicOperations.FixedTimeEquals(await SHA256.HashDataAsync(file, cancellationToken).ConfigureAwait(false), id))
                {
                    return Malformed(hex, "its bytes do not match their SHA-256");
                }
            }
            File.Move(temp, path, overwrite: true);
            return path;
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private string? Malformed(string hex, string reason)
    {
        ClusterLog.Malformed(_logger, "attachment", hex, reason);
        return null;
    }

    /// <summary>Drops cached copies unused for a while, and blobs in NATS that no holder keeps any more (past their retention).</summary>
    private async Task SweepAsync()
    {
        var now = _options.TimeProvider.GetUtcNow();
        foreach (var cached in Directory.EnumerateFiles(Folder))
        {
            if (!cached.Contains(".part-", StringComparison.Ordinal) && now - File.GetLastWriteTimeUtc(cached) > CacheAge)
            {
                File.Delete(cached);
            }
        }
        try
        {
            await foreach (var blob in _objects.ListAsync().ConfigureAwait(false))
            {
                if (now - blob.MTime > OrphanGrace && await SumAsync($"{blob.Name}.*.*.*").ConfigureAwait(false) == 0)
                {
                    await _objects.DeleteAsync(blob.Name).ConfigureAwait(false);
                }
            }
        }
        catch (NatsException e)
        {
            ClusterLog.Failed(_logger, "sweeping attachments past their retention", e.GetType().Name);
        }
    }

    /// <summary>A file that refuses to grow past the size NATS announced, so a forged object cannot fill this hub's disk.</summary>
    private sealed class CappedFile(string path, long cap) : FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 4096, useAsync: true)
    {
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Check(buffer.Length);
            base.Write(buffer);
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            Check(count);
            base.Write(buffer, offset, count);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Check(buffer.Length);
            return base.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Check(count);
            return base.WriteAsync(buffer, offset, count, cancellationToken);
        }

        private void Check(int count)
        {
            if (Position + count > cap)
            {
                throw new InvalidDataException($"more than the {cap} bytes announced");
            }
        }
    }
}
