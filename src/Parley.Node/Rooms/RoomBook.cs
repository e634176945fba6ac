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
    private readonly ConcurrentDictionary<string, Lazy<Task<RoomState>>> _rooms = new(StringComparer.Ordinal);

    /// <summary>Joined rooms' names, sorted.</summary>
    public IReadOnlyList<string> Joined => [.. _rooms.Keys.Order(StringComparer.Ordinal)];

    /// <summary>The room's state if we are in it (or joining it) and it is loaded.</summary>
    public RoomState? Find(string room) =>
        _rooms.TryGetValue(room, out var state) && state.IsValueCreated && state.Value.IsCompletedSuccessfully ? state.Value.Result : null;

    /// <summary>The room's state (loading or loaded) if we are in it or joining it; null otherwise.</summary>
    public Task<RoomState>? Opened(string room) => _rooms.TryGetValue(room, out var state) ? state.Value : null;

    /// <summary>
    /// The room's state, loaded from the store (keys, read position) on first use. Made before the hub
    /// is asked to let us in, so keys that members send the moment we join are not dropped.
    /// </summary>
    public Task<RoomState> OpenAsync(string room) =>
        _rooms.GetOrAdd(room, name => new Lazy<Task<RoomState>>(() => LoadAsync(name))).Value;

    private async Task<RoomState> LoadAsync(string room)
    {
        var state = new RoomState(room) { Position = (ulong)await store.RoomPositionAsync(room).ConfigureAwait(false) };
        state.Acked = state.Position;
        foreach (var key in await store.RoomKeysAsync(room).ConfigureAwait(false))
        {
            var member = DeviceId.Parse(key.Member);
            if (member == identity.DeviceId)
            {
                state.MyKeys[key.KeyId] = new SenderKey(key.KeyId, key.Link);
            }
            else
            {
                state.Keys[(member, key.KeyId)] = new HeldSenderKey(key.Start, key.Link);
            }
        }
        return state;
    }

    /// <summary>We are in <paramref name="room"/> with these members (the hub's list); remembered.</summary>
    public async Task<RoomState> EnterAsync(string room, IEnumerable<RoomMember> members)
    {
        var state = await OpenAsync(room).ConfigureAwait(false);
        lock (state.Lock)
        {
            state.Members = members.ToDictionary(m => m.DeviceId, m => m.Name);
        }
        await SaveAsync().ConfigureAwait(false);
        return state;
    }

    /// <summary>We left (or could not get in): the room and our keys for it go.</summary>
    public async Task LeaveAsync(string room)
    {
        _rooms.TryRemove(room, out _);
        await store.ForgetRoomAsync(room).ConfigureAwait(false);
        await SaveAsync().ConfigureAwait(false);
    }

    /// <summary>We asked to get in and were refused: forget the state made for it, unless we were in already.</summary>
    public void Abandon(string room, bool wasIn)
    {
        if (!wasIn)
        {
            _rooms.TryRemove(room, out _);
        }
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
