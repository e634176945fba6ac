using Microsoft.Data.Sqlite;
using Parley.Core.Identity;

namespace Parley.Hub;

/// <summary>
/// Rooms and who is in them, kept in the hub's database so they outlive a restart. The hub knows
/// names and membership, never what is said: messages and keys pass through it sealed.
/// </summary>
internal sealed class HubRooms
{
    /// <summary>Most rooms one device may create. 100.</summary>
    public const int MaxRoomsPerCreator = 100;

    /// <summary>Most members in one room. 1,000.</summary>
    public const int MaxMembers = 1000;

    private readonly SqliteConnection _connection;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Dictionary<DeviceId, string>> _rooms = new(StringComparer.Ordinal);

    public HubRooms(SqliteConnection connection)
    {
        _connection = connection;
        Execute("""
            CREATE TABLE IF NOT EXISTS rooms (name TEXT PRIMARY KEY, created_by TEXT NOT NULL, created_at INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS room_members (room TEXT NOT NULL, device TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (room, device));
            """);
        using var rooms = _connection.CreateCommand();
        rooms.CommandText = "SELECT name FROM rooms;";
        using (var reader = rooms.ExecuteReader())
        {
            while (reader.Read())
            {
                _rooms[reader.GetString(0)] = [];
            }
        }
        using var members = _connection.CreateCommand();
        members.CommandText = "SELECT room, device, name FROM room_members;";
        using var memberReader = members.ExecuteReader();
        while (memberReader.Read())
        {
            if (_rooms.TryGetValue(memberReader.GetString(0), out var room) && DeviceId.TryParse(memberReader.GetString(1), out var id))
            {
                room[id] = memberReader.GetString(2);
            }
        }
    }

    public string? Create(string room, DeviceId by, string name, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (_rooms.ContainsKey(room))
            {
                return $"#{room} exists already; join it";
            }
            using var count = _connection.CreateCommand();
            count.CommandText = "SELECT count(*) FROM rooms WHERE created_by = $by;";
            count.Parameters.AddWithValue("$by", by.Compact);
            if ((long)count.ExecuteScalar()! >= MaxRoomsPerCreator)
            {
                return $"you have created {MaxRoomsPerCreator} rooms, the most one device may";
            }
            Execute("INSERT INTO rooms (name, created_by, created_at) VALUES ($a, $b, $c);", ("$a", room), ("$b", by.Compact), ("$c", now.ToUnixTimeMilliseconds()));
            _rooms[room] = [];
            return AddLocked(room, by, name);
        }
    }

    public string? Join(string room, DeviceId who, string name)
    {
        lock (_lock)
        {
            return _rooms.ContainsKey(room) ? AddLocked(room, who, name) : $"there is no #{room}; create it";
        }
    }

    private string? AddLocked(string room, DeviceId who, string name)
    {
        if (_rooms[room].Count >= MaxMembers && !_rooms[room].ContainsKey(who))
        {
            return $"#{room} is full ({MaxMembers} members)";
        }
        _rooms[room][who] = name;
        Execute("INSERT OR REPLACE INTO room_members (room, device, name) VALUES ($a, $b, $c);", ("$a", room), ("$b", who.Compact), ("$c", name));
        return null;
    }

    public string? Leave(string room, DeviceId who)
    {
        lock (_lock)
        {
            if (!_rooms.TryGetValue(room, out var members) || !members.Remove(who))
            {
                return $"you are not in #{room}";
            }
            Execute("DELETE FROM room_members WHERE room = $a AND device = $b;", ("$a", room), ("$b", who.Compact));
            return null;
        }
    }

    /// <summary>Room names in order, at most <see cref="MaxListed"/> (so the reply fits one frame).</summary>
    public List<string> Names()
    {
        lock (_lock)
        {
            return [.. _rooms.Keys.Order(StringComparer.Ordinal).Take(MaxListed)];
        }
    }

    /// <summary>Most room names one list reply carries. 10,000.</summary>
    public const int MaxListed = 10_000;

    /// <summary>The members of a room (device → name), or null when there is no such room.</summary>
    public Dictionary<DeviceId, string>? Members(string room)
    {
        lock (_lock)
        {
            return _rooms.TryGetValue(room, out var members) ? new Dictionary<DeviceId, string>(members) : null;
        }
    }

    public bool IsMember(string room, DeviceId who)
    {
        lock (_lock)
        {
            return _rooms.TryGetValue(room, out var members) && members.ContainsKey(who);
        }
    }

    private void Execute(string sql, params (string Name, object Value)[] parameters)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        command.ExecuteNonQuery();
    }
}
