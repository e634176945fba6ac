using Microsoft.Data.Sqlite;

namespace Parley.Node.Storage;

public sealed partial class NodeStore : ISettingStore
{
    private const string PeerColumns = "device_id, state, remote_name, alias, address, last_seen, created_at, verified_at";

    public Task<IReadOnlyList<PeerRecord>> LoadPeersAsync() => ReadAsync<IReadOnlyList<PeerRecord>>(connection =>
    {
        using var command = Command(connection, $"SELECT {PeerColumns} FROM peers ORDER BY created_at;");
        using var reader = command.ExecuteReader();
        var peers = new List<PeerRecord>();
        while (reader.Read())
        {
            peers.Add(ReadPeer(reader));
        }
        return peers;
    });

    public Task SavePeerAsync(PeerRecord peer) => WriteAsync(connection =>
    {
        using var command = Command(connection,
            $"""
            INSERT INTO peers ({PeerColumns}) VALUES ($id, $state, $name, $alias, $address, $seen, $created, $verified)
            ON CONFLICT (device_id) DO UPDATE SET state = $state, remote_name = $name, alias = $alias,
                address = $address, last_seen = $seen, verified_at = $verified;
            """,
            ("$id", peer.DeviceId), ("$state", peer.State.ToString()), ("$name", peer.RemoteName), ("$alias", peer.Alias),
            ("$address", peer.Address), ("$seen", peer.LastSeen?.ToUnixTimeMilliseconds()), ("$created", peer.CreatedAt.ToUnixTimeMilliseconds()),
            ("$verified", peer.VerifiedAt?.ToUnixTimeMilliseconds()));
        return command.ExecuteNonQuery();
    });

    public Task DeletePeerAsync(string deviceId) => WriteAsync(connection =>
    {
        using var command = Command(connection, "DELETE FROM peers WHERE device_id = $id;", ("$id", deviceId));
        return command.ExecuteNonQuery();
    });

    public Task<string?> GetSettingAsync(string key) => ReadAsync(connection =>
    {
        using var command = Command(connection, "SELECT value FROM settings WHERE key = $key;", ("$key", key));
        return command.ExecuteScalar() as string;
    });

    /// <summary>Every setting whose key starts with <paramref name="prefix"/>, as (rest of key, value).</summary>
    public Task<IReadOnlyList<(string Key, string Value)>> SettingsWithPrefixAsync(string prefix) => ReadAsync<IReadOnlyList<(string, string)>>(connection =>
    {
        using var command = Command(connection, "SELECT key, value FROM settings WHERE substr(key, 1, length($prefix)) = $prefix;", ("$prefix", prefix));
        using var reader = command.ExecuteReader();
        var found = new List<(string, string)>();
        while (reader.Read())
        {
            found.Add((reader.GetString(0)[prefix.Length..], reader.GetString(1)));
        }
        return found;
    });

    public Task SetSettingAsync(string key, string value) => WriteAsync(connection =>
    {
        using var command = Command(connection,
            "INSERT INTO settings (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = $value;",
            ("$key", key), ("$value", value));
        return command.ExecuteNonQuery();
    });

    private static PeerRecord ReadPeer(SqliteDataReader reader) => new(
        reader.GetString(0),
        Enum.Parse<PeerState>(reader.GetString(1)),
        reader.GetString(2),
        reader.IsDBNull(3) ? null : reader.GetString(3),
        reader.IsDBNull(4) ? null : reader.GetString(4),
        reader.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)))
    {
        VerifiedAt = reader.IsDBNull(7) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(7)),
    };
}
