using Parley.Core.Hub.RoomCalls;

namespace Parley.Hub;

/// <summary>
/// One room's call on the hub: its participants as an array replaced whole on each join or leave, so
/// the forwarding path reads a snapshot without a lock, and a leaver is out of every snapshot taken
/// after it left. Participant IDs are never reused within a call.
/// </summary>
internal sealed class RoomCall(uint id, string room)
{
    private readonly Lock _lock = new();
    private RoomCallParticipant[] _participants = [];
    private ushort _lastId;

    public uint Id { get; } = id;

    public string Room { get; } = room;

    public RoomCallParticipant[] Participants => Volatile.Read(ref _participants);

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

    /// <summary>Adds a participant made by <paramref name="create"/> unless a limit says no; the refusal, or null.</summary>
    public string? TryAdd(Func<ushort, RoomCallParticipant> create, RoomCallMedia media, HubOptions options, out RoomCallParticipant? added)
    {
        added = null;
        lock (_lock)
        {
            var all = _participants;
            if (all.Length >= options.RoomCallParticipants)
            {
                return $"the call in #{Room} has {all.Length} participants, the most this hub takes";
            }
            if (media.HasFlag(RoomCallMedia.Video) && all.Count(p => p.Media.HasFlag(RoomCallMedia.Video)) >= options.RoomCallVideoParticipants)
            {
                return $"the call in #{Room} has {options.RoomCallVideoParticipants} participants with video, the most this hub takes: join with audio only";
            }
            if (_lastId == ushort.MaxValue)
            {
                return $"the call in #{Room} has had too many joins; start it again";
            }
            added = create(++_lastId);
            Volatile.Write(ref _participants, [.. all, added]);
            return null;
        }
    }

    /// <summary>Takes the participant out; true when it was in. Returns whether the call is now empty.</summary>
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
}
