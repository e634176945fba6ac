using Microsoft.Data.Sqlite;
using Parley.Core.Identity;

namespace Parley.Hub;

/// <summary>
/// The hub's one SQLite database (WAL, each commit flushed on a single hub; readable by the hub's user only): directory, mailbox and rooms
/// each keep their tables in it. A SqliteConnection is not thread-safe, so every store goes through
/// <see cref="Run{T}"/>, which holds one lock for all of them; disposing takes the same lock, so the
/// connection never closes under a running command (as when a member's departure is recorded while
/// the hub shuts down).
/// </summary>
internal sealed class HubDatabase : IDisposable
{
    public const string FileName = "hub.db";
    private readonly SqliteConnection _connection;
    private readonly Lock _lock = new();
    private bool _disposed;

    private HubDatabase(SqliteConnection connection) => _connection = connection;

    /// <param name="flushEachCommit">
    /// True on a single hub: a commit is on disk before the hub acknowledges what it holds (mail, room messages). False on a
    /// cluster hub, whose store is its copy of the cluster's rooms: room messages are acknowledged once the NATS stream (three
    /// servers) holds them, and both rooms' streams are read from their start into this store at every launch, so waiting for
    /// the disk here only delayed every room message's delivery. WAL then flushes at checkpoints. A crash of the hub loses
    /// nothing; a crash of the machine can lose the last commits: the rooms' entries and changes come back from the streams,
    /// and the members' read positions (kept only here) step back, so some entries are sent to them again.
    /// </param>
    public static HubDatabase Open(string home, bool flushEachCommit = true)
    {
        var path = Path.Combine(home, FileName);
        // 0600 before SQLite opens it: SQLite gives the -wal and -shm files the database file's mode.
        OwnerOnly.PrepareDatabase(path);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        var database = new HubDatabase(connection);
        database.Execute(flushEachCommit ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;" : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
        return database;
    }

    /// <summary>Runs <paramref name="work"/> alone on the connection.</summary>
    public T Run<T>(Func<SqliteConnection, T> work)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return work(_connection);
        }
    }

    /// <summary>Runs one statement with named parameters.</summary>
    public int Execute(string sql, params (string Name, object Value)[] parameters) => Run(connection =>
    {
        using var command = Command(connection, sql, parameters);
        return command.ExecuteNonQuery();
    });

    /// <summary>Reads every row of a query.</summary>
    public List<T> Query<T>(string sql, Func<SqliteDataReader, T> row, params (string Name, object Value)[] parameters) => Run(connection =>
    {
        using var command = Command(connection, sql, parameters);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(row(reader));
        }
        return rows;
    });

    public static SqliteCommand Command(SqliteConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return command;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _connection.Dispose();
        }
    }
}
