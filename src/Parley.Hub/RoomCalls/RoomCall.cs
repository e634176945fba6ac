using Parley.Core.Hub.Cluster;
using Parley.Core.Hub.RoomCalls;
using Parley.Core.Identity;

namespace Parley.Hub;

/// <summary>
/// One room's call on the hub: its participants as an array replaced whole on each join or leave, so
/// the forwarding path reads a snapshot without a lock, and a leaver is out of every snapshot taken
/// after it left. In a cluster, those on other hubs too (<see cref="Remotes"/>, numbered by this hub
/// like its own) and the hubs they are on (<see cref="Hubs"/>). Participant IDs are never reused within a call.
/// </summary>
internal sealed class RoomCall(uint id, string room, TimeProvider time)
{
    private readonly Lock _lock = new();
    private RoomCallParticipant[] _participants = [];
    private RoomCallRemote[] _remotes = [];
    private RoomCallHub[] _hubs = [];
    private ushort _lastId;

    /// <summary>
    /// The KV revision at which each other hub's entry first listed each device (kept while that hub goes on listing it):
    /// of two hubs listing one device, the one that listed it later is where it went. A hub's refreshes get new revisions
    /// every few seconds, so the revision of its current entry would not say this.
    /// </summary>
    private readonly Dictionary<(ulong Instance, DeviceId Device), ulong> _firstListed = [];

    public uint Id { get; } = id;

    public string Room { get; } = room;

    /// <summary>Those linked to this hub.</summary>
    public RoomCallParticipant[] Participants => Volatile.Read(ref _participants);

    /// <summary>Those on other hubs of the cluster.</summary>
    public RoomCallRemote[] Remotes => Volatile.Read(ref _remotes);

    /// <summary>The other hubs with participants in the room's call: each gets this hub's participants' media once.</summary>
    public RoomCallHub[] Hubs => Volatile.Read(ref _hubs);

    public RoomCallParticipant? Find(ushort participant)
    {
        foreach (var p in Participants)
        {
            if (p.Id == participant)
            {
                return p;
            }
        }
        return null;
    }

    /// <summary>Anyone in the call by this hub's number, here or on another hub.</summary>
    public RoomCallParty? FindParty(ushort participant) =>
        Find(participant) ?? (RoomCallParty?)Array.Find(Remotes, r => r.Id == participant);

    /// <summary>One on hub <paramref name="instance"/> by that hub's number.</summary>
    public RoomCallRemote? FindRemote(ulong instance, ushort originId) =>
        Array.Find(Remotes, r => r.Hub.Instance == instance && r.OriginId == originId);

    /// <summary>
    /// Adds <paramref name="device"/>'s participant made by <paramref name="create"/> unless a limit says no; the refusal,
    /// or null. The same device listed by another hub (<paramref name="displaced"/>) is the stale entry of a hub it left
    /// (killed, its entry not yet aged out): it is here now, so that one is taken out rather than shown twice.
    /// </summary>
    public string? TryAdd(DeviceId device, Func<ushort, RoomCallParticipant> create, RoomCallMedia media, HubOptions options,
        out RoomCallParticipant? added, out RoomCallRemote[] displaced)
    {
        added = null;
        displaced = [];
        lock (_lock)
        {
            var all = _participants;
            var stale = Array.FindAll(_remotes, r => r.Device == device);
            // The limits count the whole call: what a receiver gets grows with everyone in it, wherever they are linked.
            var everyone = all.Cast<RoomCallParty>().Concat(_remotes.Except(stale)).ToList();
            if (everyone.Count >= options.RoomCallParticipants)
            {
                return $"the call in #{Room} has {everyone.Count} participants, the most this hub takes";
            }
            if (media.HasFlag(RoomCallMedia.Video) && everyone.Count(p => p.Media.HasFlag(RoomCallMedia.Video)) >= options.RoomCallVideoParticipants)
            {
                return $"the call in #{Room} has {options.RoomCallVideoParticipants} participants with video, the most this hub takes: join with audio only";
            }
            if (_lastId == ushort.MaxValue)
            {
                return $"the call in #{Room} has had too many joins; start it again";
            }
            added = create(++_lastId);
            Volatile.Write(ref _participants, [.. all, added]);
            foreach (var remote in stale)
            {
                remote.Gone = true;
            }
            Volatile.Write(ref _remotes, [.. _remotes.Except(stale)]);
            displaced = stale;
            return null;
        }
    }

    /// <summary>Takes the participant out; true when it was in. Returns whether the call is now empty of this hub's own participants.</summary>
    public bool Remove(RoomCallParticipant participant, out bool empty)
    {
        lock (_lock)
        {
            var all = _participants;
            var removed = all.Contains(participant);
            participant.Gone = true;
            Volatile.Write(ref _participants, [.. all.Where(p => p != participant)]);
            empty = _participants.Length == 0;
            return removed;
        }
    }

    /// <summary>
    /// Makes hub <paramref name="instance"/>'s participants those of <paramref name="entry"/> (null: it has none now): those
    /// new to this call are numbered and returned as joined, those no longer there as left. A hub that started its call
    /// again (a new call ID) has all its participants replaced, as its numbers start again.
    /// </summary>
    public (List<RoomCallRemote> Joined, List<RoomCallRemote> Left) SetHub(ulong instance, ClusterRoomCall? entry)
    {
        var joined = new List<RoomCallRemote>();
        var left = new List<RoomCallRemote>();
        lock (_lock)
        {
            var hub = entry is null ? null : new RoomCallHub(instance, entry.CallId, entry.Endpoints[0]);
            foreach (var key in _firstListed.Keys.Where(k => k.Instance == instance && entry?.Participants.Any(p => p.Device == k.Device) != true).ToList())
            {
                _firstListed.Remove(key);
            }
            foreach (var p in entry?.Participants ?? [])
            {
                _firstListed.TryAdd((instance, p.Device), entry!.Revision);
            }
            var kept = new List<RoomCallRemote>();
            foreach (var remote in _remotes)
            {
                var stays = remote.Hub.Instance != instance
                    || (hub is not null && remote.Hub.CallId == hub.CallId && entry!.Participants.Any(p => p.Id == remote.OriginId && p.Device == remote.Device));
                (stays ? kept : left).Add(remote);
            }
            foreach (var p in entry?.Participants ?? [])
            {
                if (_lastId == ushort.MaxValue)
                {
                    break; // numbers spent: the call has to start again, as for a join
                }
                // A device linked here and listed there is in a stale entry of a hub it left (killed, its entry not yet aged out): not a second participant.
                if (kept.Any(r => r.Hub.Instance == instance && r.OriginId == p.Id) || _participants.Any(l => l.Device == p.Device))
                {
                    continue;
                }
                // Listed by two other hubs: the one that listed it later is where it is now, the other a hub it failed over from
                // (dead, or alive but not yet done with its old link). Decided by when each first listed it, not by which entry
                // was read last, so neither reading the stale entry again nor either hub's refresh changes it.
                var elsewhere = kept.FindAll(r => r.Hub.Instance != instance && r.Device == p.Device);
                var listedHere = _firstListed[(instance, p.Device)];
                if (elsewhere.Any(r => _firstListed.GetValueOrDefault((r.Hub.Instance, r.Device)) > listedHere))
                {
                    continue;
                }
                foreach (var older in elsewhere)
                {
                    kept.Remove(older);
                    left.Add(older);
                }
                var remote = new RoomCallRemote(++_lastId, hub!, p.Id, p.Device, p.Media, time);
                kept.Add(remote);
                joined.Add(remote);
            }
            foreach (var gone in left)
            {
                gone.Gone = true;
            }
            Volatile.Write(ref _remotes, [.. kept]);
            Volatile.Write(ref _hubs, [.. _hubs.Where(h => h.Instance != instance), .. hub is null ? [] : new[] { hub }]);
        }
        return (joined, left);
    }
}
