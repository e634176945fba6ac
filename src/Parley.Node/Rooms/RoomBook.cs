using System.Collections.Concurrent;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Node.Hub;
using Parley.Node.Storage;

namespace Parley.Node.Rooms;

/// <summary>The rooms this node is in (as of its last word with the hub), remembered across restarts so each new hub link rejoins them.</summary>
internal sealed class RoomBook(NodeIdentity identity, NodeStore store, VerifiedDirectory directory)
{
    private const string RoomsSetting = "rooms";
    private readonly ConcurrentDictionary<string, RoomState> _rooms = new(StringComparer.Ordinal);

    /// <summary>Joined rooms' names, sorted.</summary>
    public IReadOnlyList<string> Joined => [.. _rooms.Keys.Order(StringComparer.Ordinal)];

    public RoomState? Find(string room) => _rooms.GetValueOrDefault(room);

    /// <summary>We are in <paramref name="room"/> with these members (the hub's list); remembered.</summary>
    public async Task<RoomState> EnterAsync(string room, IEnumerable<RoomMember> members)
    {
        var state = _rooms.GetOrAdd(room, name => new RoomState(name));
        lock (state.Lock)
        {
            state.Members = members.ToDictionary(m => m.DeviceId, m => m.Name);
        }
        await SaveAsync().ConfigureAwait(false);
        return state;
    }

    /// <summary>We left: the room and our keys for it go.</summary>
    public Task LeaveAsync(string room)
    {
        _rooms.TryRemove(room, out _);
        return SaveAsync();
    }

    /// <summary>The rooms remembered from before (to rejoin).</summary>
    public async Task<IReadOnlyList<string>> SavedAsync() =>
        ((await store.GetSettingAsync(RoomsSetting).ConfigureAwait(false)) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries);

    private Task SaveAsync() => store.SetSettingAsync(RoomsSetting, string.Join(',', Joined));

    /// <summary>What to call a member of <paramref name="room"/>: "me", its name in the room, its directory name, or its short ID.</summary>
    public string NameOf(string room, DeviceId member)
    {
        if (member == identity.DeviceId)
        {
            return "me";
        }
        if (Find(room) is { } state)
        {
            lock (state.Lock)
            {
                if (state.Members.TryGetValue(member, out var name))
                {
                    return name;
                }
            }
        }
        return directory.Cached(member)?.Name ?? member.Short;
    }
}
