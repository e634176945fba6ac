namespace Parley.Node.Storage;

/// <summary>A signed-in browser as stored: the SHA-256 of its cookie (never the cookie itself) and when it ends.</summary>
public sealed record WebSessionRecord(string IdHash, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

public sealed partial class NodeStore
{
    public Task<IReadOnlyList<WebSessionRecord>> LoadWebSessionsAsync() => ReadAsync<IReadOnlyList<WebSessionRecord>>(connection =>
    {
        using var command = Command(connection, "SELECT id_hash, created_at, expires_at FROM web_sessions ORDER BY created_at;");
        using var reader = command.ExecuteReader();
        var sessions = new List<WebSessionRecord>();
        while (reader.Read())
        {
            sessions.Add(new WebSessionRecord(reader.GetString(0),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2))));
        }
        return sessions;
    });

    public Task SaveWebSessionAsync(WebSessionRecord session) => WriteAsync(connection =>
    {
        using var command = Command(connection, "INSERT OR REPLACE INTO web_sessions (id_hash, created_at, expires_at) VALUES ($hash, $created, $expires);",
            ("$hash", session.IdHash), ("$created", session.CreatedAt.ToUnixTimeMilliseconds()), ("$expires", session.ExpiresAt.ToUnixTimeMilliseconds()));
        return command.ExecuteNonQuery();
    });

    public Task DeleteWebSessionAsync(string idHash) => WriteAsync(connection =>
    {
        using var command = Command(connection, "DELETE FROM web_sessions WHERE id_hash = $hash;", ("$hash", idHash));
        return command.ExecuteNonQuery();
    });
}
