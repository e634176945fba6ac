using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Parley.Core.Hub.Cluster;
using Parley.Core.Hub.RoomCalls;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Hub;

/// <summary>
/// The hub's selective forwarding unit for room calls: who is in which room's call, and the path every
/// hop packet takes. A packet is checked in this order — its header, its call, the participant whose hop
/// key it names, that key's tag and replay window, then that participant's budget (so a stranger forging
/// someone's ID spends nothing of theirs) — and only then routed: media to every other participant
/// (never back to its sender), a NACK answered from the stream's history (what it lacks asked of the
/// sender), a keyframe request passed to the sender at most once per <see cref="KeyframeInterval"/>.
/// The hub reads the header only; the body is end-to-end encrypted.
/// </summary>
internal sealed partial class RoomCallUnit(HubOptions options)
{
    /// <summary>Keyframe requests from any number of receivers reach a sender at most this often. 300 ms.</summary>
    public static readonly TimeSpan KeyframeInterval = TimeSpan.FromMilliseconds(300);

    private readonly ConcurrentDictionary<uint, RoomCall> _calls = new();
    private readonly ConcurrentDictionary<DeviceId, (RoomCall Call, RoomCallParticipant Participant)> _byDevice = new();
    private readonly Dictionary<string, RoomCall> _byRoom = [];
    private readonly Lock _lock = new();
    private readonly long[] _drops = new long[Enum.GetValues<RoomCallDrop>().Length];
    private long _forwarded;
    private long _skipped;

    /// <summary>The hub's UDP port for call packets (its TCP port's number), or 0 when it has none: set once the port is open.</summary>
    public ushort UdpPort { get; set; }

    /// <summary>The other hubs of the cluster, when there are any: calls span them (set once at start-up).</summary>
    public IRoomCallBridge? Bridge { get; set; }

    /// <summary>
    /// Whether a device is a member of a room (the hub's rooms, set once at start-up): a participant another hub lists must be one,
    /// as what is read from NATS is not trusted. Null: nobody from elsewhere is taken.
    /// </summary>
    public Func<string, DeviceId, bool>? IsMember { get; set; }

    /// <summary>Rooms with a call on this hub now.</summary>
    public IReadOnlyList<string> Rooms
    {
        get
        {
            lock (_lock)
            {
                return [.. _byRoom.Keys];
            }
        }
    }

    public int Calls => _calls.Count;

    /// <summary>Packets sent on to participants since start (one per receiver).</summary>
    public long Forwarded => Interlocked.Read(ref _forwarded);

    /// <summary>Video packets not sent to a receiver because its reports chose fewer temporal layers (one per receiver).</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    public long Dropped(RoomCallDrop why) => Interlocked.Read(ref _drops[(int)why]);

    /// <summary>The call <paramref name="device"/> is in, if any.</summary>
    public (RoomCall Call, RoomCallParticipant Participant)? CallOf(DeviceId device) => _byDevice.TryGetValue(device, out var entry) ? entry : null;

    /// <summary>
    /// Puts <paramref name="member"/> (already checked to be a room member) in the room's call, starting it
    /// if none runs; it leaves any call it was in. Returns the refusal, or null with where it is.
    /// </summary>
    public string? Join(Member member, uint requestId, string room, RoomCallMedia media)
    {
        // Leaving the old call and entering the new one under one lock: two joins of one device at once
        // (a new link's and the old one's) must not both find it in no call and leave it in two.
        (RoomCall Call, RoomCallParticipant Participant)? left;
        string? refused;
        lock (_lock)
        {
            left = Detach(member.Id, null);
            refused = Enter(member, room, media, out var call, out var participant, out var displaced);
            if (refused is null)
            {
                // A stale listing of this device by a hub it failed over from: gone for the others before it joins here.
                foreach (var stale in displaced)
                {
                    TellLocals(call!, stale, RoomCallChange.Left, except: participant);
                }
                // The grant, then everyone already in, here or on other hubs, then the newcomer to the others: under the lock, so a
                // participant of another hub coming or going meanwhile is told to the newcomer after it, never before.
                var joined = participant!;
                member.Send(FrameType.RoomCallJoined, new RoomCallJoined(requestId, call!.Id, joined.Id, joined.HopKey, UdpPort));
                foreach (var other in call.Participants.Where(p => p != joined).Cast<RoomCallParty>().Concat(call.Remotes))
                {
                    member.Send(FrameType.RoomCallNotice, new RoomCallNotice(call.Id, RoomCallChange.Joined, other.Id, other.Device, other.Media));
                }
                var notice = new RoomCallNotice(call.Id, RoomCallChange.Joined, joined.Id, joined.Device, joined.Media);
                foreach (var other in call.Participants.Where(p => p != joined))
                {
                    other.Member.Send(FrameType.RoomCallNotice, notice);
                }
            }
        }
        if (left is { } old)
        {
            Tell(old.Call, old.Participant, RoomCallChange.Left);
            Bridge?.Changed(old.Call.Room);
        }
        if (refused is null)
        {
            Bridge?.Changed(room);
        }
        return refused;
    }

    /// <summary>Puts the member in the room's call (under the lock); the refusal, or null.</summary>
    private string? Enter(Member member, string room, RoomCallMedia media, out RoomCall? call, out RoomCallParticipant? participant,
        out RoomCallRemote[] displaced)
    {
        participant = null;
        displaced = [];
        if (!_byRoom.TryGetValue(room, out call))
        {
            if (_calls.Count >= options.RoomCalls)
            {
                return $"this hub runs {options.RoomCalls} room calls, the most it takes; try again later";
            }
            uint id;
            do
            {
                id = (uint)Random.Shared.NextInt64(1, uint.MaxValue);
            }
            while (_calls.ContainsKey(id));
            call = new RoomCall(id, room, options.TimeProvider);
            _calls[id] = call;
            _byRoom[room] = call;
            foreach (var hub in Bridge?.Known(room) ?? [])
            {
                call.SetHub(hub.Instance, MembersOf(room, hub)); // nobody here to tell yet
            }
        }
        if (call.TryAdd(member.Id, id => new RoomCallParticipant(id, member, media, options), media, options, out participant, out displaced) is { } refusal)
        {
            if (call.Participants.Length == 0)
            {
                Forget(call);
            }
            return refusal;
        }
        _byDevice[member.Id] = (call, participant!);
        return null;
    }

    /// <summary>
    /// Takes <paramref name="device"/> out of its call (leaving, its link gone, or cut off), telling the
    /// others at once; a participant cut off is told too. From here on nothing is sent to it.
    /// </summary>
    public void Leave(DeviceId device, RoomCallChange why, Member? onlyIf = null)
    {
        (RoomCall Call, RoomCallParticipant Participant)? left;
        lock (_lock)
        {
            left = Detach(device, onlyIf);
        }
        if (left is { } gone)
        {
            Tell(gone.Call, gone.Participant, why);
            Bridge?.Changed(gone.Call.Room);
        }
    }

    /// <summary>The room's call on this hub, if it runs one (while any of this hub's members are in it).</summary>
    public RoomCall? CallIn(string room)
    {
        lock (_lock)
        {
            return _byRoom.GetValueOrDefault(room);
        }
    }

    /// <summary>
    /// Hub <paramref name="instance"/>'s participants in the room's call are now those of <paramref name="entry"/> (null: none):
    /// this hub's participants are told who joined and who left, as for its own.
    /// </summary>
    public void SetRemote(string room, ulong instance, ClusterRoomCall? entry)
    {
        // Read before our lock: ours is never held while the rooms' is asked for, so no order between the two locks
        // has to be kept.
        var members = MembersOf(room, entry);
        lock (_lock)
        {
            if (!_byRoom.TryGetValue(room, out var call))
            {
                return; // nobody here in it: the bridge keeps the entry for when someone joins
            }
            var (joined, left) = call.SetHub(instance, members);
            foreach (var change in left.Select(r => (Party: r, Change: RoomCallChange.Left)).Concat(joined.Select(r => (Party: r, Change: RoomCallChange.Joined))))
            {
                TellLocals(call, change.Party, change.Change);
            }
        }
    }

    /// <summary>Tells this hub's participants (but <paramref name="except"/>) that another hub's participant joined or left; a leaver's layers are forgotten.</summary>
    private static void TellLocals(RoomCall call, RoomCallRemote party, RoomCallChange change, RoomCallParticipant? except = null)
    {
        var notice = new RoomCallNotice(call.Id, change, party.Id, party.Device, party.Media);
        foreach (var local in call.Participants)
        {
            if (local == except)
            {
                continue;
            }
            if (change == RoomCallChange.Left)
            {
                local.Layers.Forget(party.Id);
            }
            local.Member.Send(FrameType.RoomCallNotice, notice);
        }
    }

    /// <summary>Another hub's entry with only the room's members in it (null when none are): a device listed that is not one is not let in.</summary>
    private ClusterRoomCall? MembersOf(string room, ClusterRoomCall? entry) =>
        entry is null ? null
            : entry with { Participants = [.. entry.Participants.Where(p => IsMember?.Invoke(room, p.Device) == true)] } is { Participants.Count: > 0 } members ? members : null;

    /// <summary>
    /// A frame key a participant on another hub sealed to one here: passed on naming the sender by this hub's number.
    /// False when the sender is not (yet) known here: its hub's entry may still be on its way.
    /// </summary>
    public bool OnRemoteKey(ClusterRoomCallKey key)
    {
        // Under the lock SetRemote holds while it tells our participants who joined: the key never overtakes the
        // notice naming its sender (a node takes keys only from participants it knows).
        lock (_lock)
        {
            if (!_calls.TryGetValue(key.ToCall, out var call) || call.Find(key.Recipient) is not { } recipient)
            {
                return true; // the call or the recipient is gone: nothing to pass it to
            }
            if (call.FindRemote(key.FromInstance, key.Sender) is not { } sender || sender.Hub.CallId != key.FromCall)
            {
                return false;
            }
            recipient.Member.Send(FrameType.RoomCallKey, new RoomCallKey(call.Id, sender.Id, key.Sealed));
            return true;
        }
    }

    /// <summary>Takes the device out of its call's snapshot (under the lock); what it left, or null when it was in none.</summary>
    private (RoomCall Call, RoomCallParticipant Participant)? Detach(DeviceId device, Member? onlyIf)
    {
        if (!_byDevice.TryGetValue(device, out var entry) || (onlyIf is not null && entry.Participant.Member != onlyIf))
        {
            return null;
        }
        var (call, participant) = entry;
        var removed = call.Remove(participant, out var empty);
        _byDevice.TryRemove(new KeyValuePair<DeviceId, (RoomCall, RoomCallParticipant)>(device, entry));
        if (empty)
        {
            Forget(call);
        }
        return removed ? entry : null;
    }

    /// <summary>Tells the others (and a participant cut off) that it is out, then frees its keys.</summary>
    private static void Tell(RoomCall call, RoomCallParticipant participant, RoomCallChange why)
    {
        var notice = new RoomCallNotice(call.Id, why, participant.Id, participant.Device, participant.Media);
        foreach (var other in call.Participants)
        {
            other.Layers.Forget(participant.Id);
            other.Member.Send(FrameType.RoomCallNotice, notice);
        }
        if (why == RoomCallChange.CutOff)
        {
            participant.Member.Send(FrameType.RoomCallNotice, notice);
        }
        participant.Dispose();
    }

    private void Forget(RoomCall call)
    {
        _calls.TryRemove(call.Id, out _);
        _byRoom.Remove(call.Room);
    }

    /// <summary>A datagram on the hub's UDP port that is not STUN.</summary>
    public void OnDatagram(Socket socket, ReadOnlySpan<byte> datagram, IPEndPoint from) => Handle(datagram, socket, from, viaLink: null);

    /// <summary>A hop packet that came over <paramref name="member"/>'s link: it may only name the member's own hop.</summary>
    public void OnLinkPacket(Member member, ReadOnlySpan<byte> packet) => Handle(packet, null, null, member);

    public void Count(RoomCallDrop why) => Interlocked.Increment(ref _drops[(int)why]);
}
