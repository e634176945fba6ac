using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Parley.Core.Identity;

namespace Parley.Node.Storage;

/// <summary>
/// The node's SQLite database (WAL mode) on one connection. Reads run under a gate; writes are
/// queued and committed in batches (one transaction for everything waiting), which is what lets a
/// node store tens of thousands of messages a second. A write's task completes after its commit.
/// Queries live in partial files by table: <c>NodeStore.Peers.cs</c>, <c>NodeStore.Messages.cs</c>.
/// </summary>
public sealed partial class NodeStore : IAsyncDisposable
{
    public const string FileName = "parley.db";
    private const int MaxBatch = 512;
    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Channel<PendingWrite> _writes = Channel.CreateUnbounded<PendingWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _writer;

    private sealed record PendingWrite(Func<SqliteConnection, object?> Work, TaskCompletionSource<object?> Done);

    private NodeStore(SqliteConnection connection)
    {
        _connection = connection;
        _writer = Task.Run(WriteLoopAsync);
        _checkpointer = Task.Run(CheckpointLoopAsync);
    }

    /// <summary>How often written pages are copied from the WAL into the database file. 1 s.</summary>
    private static readonly TimeSpan CheckpointInterval = TimeSpan.FromSeconds(1);
    private readonly CancellationTokenSource _closing = new();
    private readonly Task _checkpointer;
    private long _writesSinceCheckpoint;

    private async Task CheckpointLoopAsync()
    {
        using var checkpointer = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _connection.DataSource, Pooling = false }.ToString());
        checkpointer.Open();
        using var timer = new PeriodicTimer(CheckpointInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(_closing.Token).ConfigureAwait(false))
            {
                if (Interlocked.Exchange(ref _writesSinceCheckpoint, 0) > 0)
                {
                    Execute(checkpointer, "PRAGMA wal_checkpoint(PASSIVE);");
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public static NodeStore Open(string home)
    {
        var path = Path.Combine(home, FileName);
        // 0600 before SQLite opens it: SQLite gives the -wal and -shm files the database file's mode.
        OwnerOnly.PrepareDatabase(path);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        // WAL with synchronous=NORMAL: a commit is safe from a process crash (kill -9) without an fsync.
        // Automatic checkpoints (which fsync) would stall a write now and then; a second connection
        // checkpoints in the background instead (see CheckpointLoopAsync).
        Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA wal_autocheckpoint=0;");
        StoreMigrations.Apply(connection);
        return new NodeStore(connection);
    }

    /// <summary>Runs a read (or a small write that must be seen at once) under the gate.</summary>
    private async Task<T> ReadAsync<T>(Func<SqliteConnection, T> work)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            return work(_connection);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Queues a write; the task completes once the batch holding it has committed.</summary>
    private async Task<T> WriteAsync<T>(Func<SqliteConnection, T> work)
    {
        var done = new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_writes.Writer.TryWrite(new PendingWrite(c => work(c), done)))
        {
            throw new ObjectDisposedException(nameof(NodeStore));
        }
        return (T)(await done.Task.ConfigureAwait(false))!;
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<PendingWrite>(MaxBatch);
        while (await _writes.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxBatch && _writes.Reader.TryRead(out var write))
            {
                batch.Add(write);
            }
            await _gate.WaitAsync().ConfigureAwait(false);
            var results = new object?[batch.Count];
            Exception? failure = null;
            try
            {
                // Plain BEGIN/COMMIT: commands then need no transaction object attached.
                Execute(_connection, "BEGIN;");
                for (var i = 0; i < batch.Count; i++)
                {
                    results[i] = batch[i].Work(_connection);
                }
                Execute(_connection, "COMMIT;");
                Interlocked.Increment(ref _writesSinceCheckpoint);
            }
            catch (SqliteException e)
            {
                failure = e;
                Execute(_connection, "ROLLBACK;");
            }
            finally
            {
                _gate.Release();
            }
            for (var i = 0; i < batch.Count; i++)
            {
                if (failure is null)
                {
                    batch[i].Done.TrySetResult(results[i]);
                }
                else
                {
                    batch[i].Done.TrySetException(failure);
                }
            }
            batch.Clear();
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private readonly Dictionary<string, SqliteCommand> _prepared = new(StringComparer.Ordinal);

    /// <summary>
    /// A cached, prepared command for a hot statement, so SQLite parses it once rather than per
    /// message. Only for use inside a read or write (under the gate); do not dispose it.
    /// </summary>
    private SqliteCommand Prepared(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        if (!_prepared.TryGetValue(sql, out var command))
        {
            command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, _) in parameters)
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            }
            command.Prepare();
            _prepared[sql] = command;
        }
        foreach (var (name, value) in parameters)
        {
            command.Parameters[name].Value = value ?? DBNull.Value;
        }
        return command;
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }
        return command;
    }

    /// <summary>Commits what is queued, then closes the database.</summary>
    public async ValueTask DisposeAsync()
    {
        _writes.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        await _closing.CancelAsync().ConfigureAwait(false);
        await _checkpointer.ConfigureAwait(false);
        _closing.Dispose();
        await _gate.WaitAsync().ConfigureAwait(false);
        foreach (var command in _prepared.Values)
        {
            command.Dispose();
        }
        Execute(_connection, "PRAGMA wal_checkpoint(TRUNCATE);");
        await _connection.DisposeAsync().ConfigureAwait(false);
        _gate.Dispose();
    }
}
