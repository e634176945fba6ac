using Microsoft.Data.Sqlite;
using Parley.Core.Files;
using Parley.Node.Files;

namespace Parley.Node.Storage;

public sealed partial class NodeStore : ITransferStore
{
    /// <summary>Stores a new transfer with its file list (one transaction).</summary>
    public Task InsertTransferAsync(Transfer transfer) => WriteAsync(connection =>
    {
        using (var command = Command(connection,
            """
            INSERT INTO transfers (id, peer, outgoing, state, folder, total_bytes, file_count, error, created_at)
            VALUES ($id, $peer, $out, $state, $folder, $total, $count, $error, $created);
            """,
            ("$id", transfer.Id.ToString("N")), ("$peer", transfer.Peer), ("$out", transfer.Outgoing ? 1 : 0),
            ("$state", transfer.State.ToString()), ("$folder", transfer.Folder), ("$total", transfer.TotalBytes),
            ("$count", transfer.Files.Count), ("$error", transfer.Error), ("$created", transfer.CreatedAt.ToUnixTimeMilliseconds())))
        {
            command.ExecuteNonQuery();
        }
        foreach (var file in transfer.Files)
        {
            var insert = Prepared(connection,
                "INSERT INTO transfer_files (transfer_id, idx, path, size, source, modified, flags) VALUES ($t, $i, $p, $s, $src, $m, $f);",
                ("$t", transfer.Id.ToString("N")), ("$i", file.Index), ("$p", file.Path), ("$s", file.Size), ("$src", file.Source),
                ("$m", file.Modified), ("$f", (int)file.Flags));
            insert.ExecuteNonQuery();
        }
        return 0;
    });

    public Task UpdateTransferAsync(Transfer transfer) => WriteAsync(connection =>
    {
        using var command = Command(connection, "UPDATE transfers SET state = $state, folder = $folder, error = $error WHERE id = $id;",
            ("$id", transfer.Id.ToString("N")), ("$state", transfer.State.ToString()), ("$folder", transfer.Folder), ("$error", transfer.Error));
        return command.ExecuteNonQuery();
    });

    public Task UpdateTransferFilesAsync(Guid transfer, IReadOnlyList<TransferFile> files) => WriteAsync(connection =>
    {
        var changed = 0;
        foreach (var file in files)
        {
            var command = Prepared(connection, "UPDATE transfer_files SET final_path = $final, done = $done WHERE transfer_id = $t AND idx = $i;",
                ("$t", transfer.ToString("N")), ("$i", file.Index), ("$final", file.FinalPath), ("$done", file.Done ? 1 : 0));
            changed += command.ExecuteNonQuery();
        }
        return changed;
    });

    /// <summary>
    /// Every unfinished transfer (they resume) and the <paramref name="recentFinished"/> most recent
    /// others (for listing), with their files, newest first. Older finished ones stay on disk only,
    /// so start-up does not grow with history.
    /// </summary>
    public Task<IReadOnlyList<Transfer>> LoadTransfersAsync(int recentFinished) => ReadAsync<IReadOnlyList<Transfer>>(connection =>
    {
        var transfers = new List<Transfer>();
        using (var command = Command(connection,
            """
            SELECT id, peer, outgoing, state, folder, error, created_at FROM transfers
            WHERE state NOT IN ('Completed', 'Rejected', 'Cancelled', 'Failed')
               OR id IN (SELECT id FROM transfers ORDER BY created_at DESC LIMIT $limit)
            ORDER BY created_at DESC;
            """, ("$limit", recentFinished)))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var id = Guid.ParseExact(reader.GetString(0), "N");
                var files = LoadFiles(connection, id);
                transfers.Add(new Transfer(id, reader.GetString(1), reader.GetInt64(2) == 1, files, DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)))
                {
                    State = Enum.Parse<TransferState>(reader.GetString(3)),
                    Folder = reader.IsDBNull(4) ? null : reader.GetString(4),
                    Error = reader.IsDBNull(5) ? null : reader.GetString(5),
                });
            }
        }
        return transfers;
    });

    private static List<TransferFile> LoadFiles(SqliteConnection connection, Guid transfer)
    {
        using var command = Command(connection,
            "SELECT idx, path, size, source, final_path, done, modified, flags FROM transfer_files WHERE transfer_id = $t ORDER BY idx;", ("$t", transfer.ToString("N")));
        using var reader = command.ExecuteReader();
        var files = new List<TransferFile>();
        while (reader.Read())
        {
            files.Add(new TransferFile(reader.GetInt32(0), reader.GetString(1), reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetString(3))
            {
                FinalPath = reader.IsDBNull(4) ? null : reader.GetString(4),
                Done = reader.GetInt64(5) == 1,
                Modified = reader.GetInt64(6),
                Flags = (OfferFlags)reader.GetInt64(7),
            });
        }
        return files;
    }
}
