using Parley.Core.Identity;

namespace Parley.Hub;

/// <summary>
/// Rooms and who is in them, with the rules on both (names are checked by the message; here: how
/// many rooms one device may create, how many members a room holds). The hub knows names and
/// membership, never what is said: messages and keys pass through it sealed. Kept in memory for
/// the fan-out, written through to <see cref="RoomStore"/>.
/// </summary>
internal sealed class HubRooms
{
    /// <summary>Most rooms one device may create. 100.</summary>
    public const int MaxRoomsPerCreator = 100;

    /// <summary>Most members in one room. 1,000.</summary>
    public const int MaxMembers = 1000;

    /// <summary>Most room names one list reply carries (so it fits one frame). 10,000.</summary>
    public const int MaxListed = 10_000;

    private readonly RoomStore _store;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Dictionary<DeviceId, string>> _rooms;

    public HubRooms(RoomStore store)
    {
        _store = store;
        _rooms = store.Load();
    }

    /// <summary>Creates the room with its creator as first member; returns why not, or null.</summary>
    public string? Create(string room, DeviceId by, string name, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (_rooms.ContainsKey(room))
            {
                return $"#{room} exists already; join it";
            }
            if (_store.CountCreatedBy(by) >= MaxRoomsPerCreator)
            {
                return $"you have created {MaxRoomsPerCreator} rooms, the most one device may";
            }
            _store.AddRoom(room, by, now);
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
        _store.AddMember(room, who, name);
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
            _store.RemoveMember(room, who);
            return null;
        }
    }

    /// <summary>Room names in order, at most <see cref="MaxListed"/>.</summary>
    public List<string> Names()
    {
        lock (_lock)
        {
            return [.. _rooms.Keys.Order(StringComparer.Ordinal).Take(MaxListed)];
        }
    }

    /// <summary>A copy of a room's members (device → name), or null when there is no such room.</summary>
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
}
