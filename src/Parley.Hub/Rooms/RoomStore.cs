using Parley.Core.Identity;

namespace Parley.Hub;

/// <summary>Rooms and their members in the hub's database, so they outlive a restart.</summary>
internal sealed class RoomStore
{
    private readonly HubDatabase _database;

    public RoomStore(HubDatabase database)
    {
        _database = database;
        _database.Execute("""
            CREATE TABLE IF NOT EXISTS rooms (name TEXT PRIMARY KEY, created_by TEXT NOT NULL, created_at INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS room_members (room TEXT NOT NULL, device TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (room, device));
            """);
    }

    /// <summary>Every room with its members (device → name), as last stored.</summary>
    public Dictionary<string, Dictionary<DeviceId, string>> Load()
    {
        var rooms = _database.Query("SELECT name FROM rooms;", reader => reader.GetString(0))
            .ToDictionary(name => name, _ => new Dictionary<DeviceId, string>(), StringComparer.Ordinal);
        var members = _database.Query("SELECT room, device, name FROM room_members;", reader => (Room: reader.GetString(0), Device: reader.GetString(1), Name: reader.GetString(2)));
        foreach (var (room, device, name) in members)
        {
            if (rooms.TryGetValue(room, out var roomMembers) && DeviceId.TryParse(device, out var id))
            {
                roomMembers[id] = name;
            }
        }
        return rooms;
    }

    public long CountCreatedBy(DeviceId by) =>
        _database.Run(connection =>
        {
            using var command = HubDatabase.Command(connection, "SELECT count(*) FROM rooms WHERE created_by = $by;", ("$by", by.Compact));
            return (long)command.ExecuteScalar()!;
        });

    public void AddRoom(string room, DeviceId by, DateTimeOffset now) =>
        _database.Execute("INSERT INTO rooms (name, created_by, created_at) VALUES ($a, $b, $c);", ("$a", room), ("$b", by.Compact), ("$c", now.ToUnixTimeMilliseconds()));

    public void AddMember(string room, DeviceId who, string name) =>
        _database.Execute("INSERT OR REPLACE INTO room_members (room, device, name) VALUES ($a, $b, $c);", ("$a", room), ("$b", who.Compact), ("$c", name));

    public void RemoveMember(string room, DeviceId who) =>
        _database.Execute("DELETE FROM room_members WHERE room = $a AND device = $b;", ("$a", room), ("$b", who.Compact));
}
