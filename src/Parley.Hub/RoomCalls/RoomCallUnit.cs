using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
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

    /// <summary>The hub's UDP port for call packets (its TCP port's number), or 0 when it has none: set once the port is open.</summary>
    public ushort UdpPort { get; set; }

    public int Calls => _calls.Count;

    /// <summary>Packets sent on to participants since start (one per receiver).</summary>
    public long Forwarded => Interlocked.Read(ref _forwarded);

    public long Dropped(RoomCallDrop why) => Interlocked.Read(ref _drops[(int)why]);

    /// <summary>The call <paramref name="device"/> is in, if any.</summary>
    public (RoomCall Call, RoomCallParticipant Participant)? CallOf(DeviceId device) => _byDevice.TryGetValue(device, out var entry) ? entry : null;

    /// <summary>
    /// Puts <paramref name="member"/> (already checked to be a room member) in the room's call, starting it
    /// if none runs; it leaves any call it was in. Returns the refusal, or null with where it is.
    /// </summary>
    public string? Join(Member member, string room, RoomCallMedia media, out RoomCall? call, out RoomCallParticipant? participant)
    {
        Leave(member.Id, RoomCallChange.Left);
        lock (_lock)
        {
            participant = null;
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
                call = new RoomCall(id, room);
                _calls[id] = call;
                _byRoom[room] = call;
            }
            if (call.TryAdd(id => new RoomCallParticipant(id, member, media, options), media, options, out participant) is { } refusal)
            {
                if (call.Participants.Length == 0)
                {
                    Forget(call);
                }
                return refusal;
            }
            _byDevice[member.Id] = (call, participant!);
        }
        var joined = participant!;
        var notice = new RoomCallNotice(call.Id, RoomCallChange.Joined, joined.Id, joined.Device, joined.Media);
        foreach (var other in call.Participants.Where(p => p != joined))
        {
            other.Member.Send(FrameType.RoomCallNotice, notice);
        }
        return null;
    }

    /// <summary>
    /// Takes <paramref name="device"/> out of its call (leaving, its link gone, or cut off), telling the
    /// others at once; a participant cut off is told too. From here on nothing is sent to it.
    /// </summary>
    public void Leave(DeviceId device, RoomCallChange why, Member? onlyIf = null)
    {
        if (!_byDevice.TryGetValue(device, out var entry) || (onlyIf is not null && entry.Participant.Member != onlyIf))
        {
            return;
        }
        var (call, participant) = entry;
        bool removed, empty;
        lock (_lock)
        {
            removed = call.Remove(participant, out empty);
            _byDevice.TryRemove(new KeyValuePair<DeviceId, (RoomCall, RoomCallParticipant)>(device, entry));
            if (empty)
            {
                Forget(call);
            }
        }
        if (!removed)
        {
            return;
        }
        var notice = new RoomCallNotice(call.Id, why, participant.Id, participant.Device, participant.Media);
        foreach (var other in call.Participants)
        {
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

    private void Count(RoomCallDrop why) => Interlocked.Increment(ref _drops[(int)why]);
}
