using Parley.Core.Hub.RoomCalls;
using Parley.Core.Identity;

namespace Parley.Node.RoomCalls;

/// <summary>A frame part from another participant, opened: who sent it (device and participant ID) and what the hub routed it by.</summary>
public sealed record RoomCallMediaPart(DeviceId From, ushort Participant, byte Stream, ushort Sequence, bool Keyframe, byte[] Media, byte Level = 127)
{
    internal static RoomCallMediaPart Of(DeviceId from, in RoomCallHopHeader header, byte[] media) =>
        new(from, header.Source, header.Stream, header.Sequence, header.Flags.HasFlag(RoomCallHopFlags.Keyframe), media, header.Level);
}

/// <summary>
/// The room call this node is in: the hub's grant (call, our participant ID, hop key), who else is in,
/// our current frame key and the keys the others handed us, by participant and key ID. Guarded by
/// <see cref="Lock"/> except the hop keys, each used by one loop.
/// </summary>
internal sealed class RoomCallState(string room, RoomCallJoined grant, System.Net.IPEndPoint hubUdp) : IDisposable
{
    public Lock Lock { get; } = new();

    public string Room { get; } = room;

    public uint CallId { get; } = grant.CallId;

    public ushort Participant { get; } = grant.Participant;

    /// <summary>Where hop packets go over UDP; null when the hub has no UDP port (then over the link).</summary>
    public System.Net.IPEndPoint? HubUdp { get; } = grant.UdpPort == 0 ? null : hubUdp;

    /// <summary>Seals what we send (the sending path's own AES state).</summary>
    public RoomCallHopKey SendKey { get; } = new(grant.HopKey);

    /// <summary>Checks what the hub sends us (the receive loop's own).</summary>
    public RoomCallHopKey ReceiveKey { get; } = new(grant.HopKey);

    /// <summary>The others in the call, by participant ID.</summary>
    public Dictionary<ushort, DeviceId> Others { get; } = [];

    /// <summary>Keys the others sealed to us, by (participant, key ID): the last few of each, as packets under the previous key may still arrive.</summary>
    public Dictionary<(ushort Participant, byte KeyId), RoomCallFrameCipher> TheirKeys { get; } = [];

    public RoomCallFrameKey? MyKey { get; set; }

    public RoomCallFrameCipher? MyCipher { get; set; }

    public uint HopCounter { get; set; }

    public ushort[] Sequences { get; } = new ushort[2];

    /// <summary>Our last video packets as sent, to answer the hub's NACKs for what it no longer has.</summary>
    public RoomCallHistory SentVideo { get; } = new(RoomCallHistory.SenderDepth);

    /// <summary>Media that came under a key not yet handed to us, opened when the key comes.</summary>
    public RoomCallAwaitingKey AwaitingKey { get; } = new();

    /// <summary>Rounds of key handing begun: a round goes on retrying only while it is the newest (a newer one hands to everyone).</summary>
    public int KeyHandings;

    /// <summary>The hub's counters seen (its packets to us), and how many: what our reports tell the hub.</summary>
    public RoomCallReceived Replay { get; } = new();

    public void Dispose()
    {
        SendKey.Dispose();
        ReceiveKey.Dispose();
        MyCipher?.Dispose();
        foreach (var cipher in TheirKeys.Values)
        {
            cipher.Dispose();
        }
    }
}

/// <summary>The hub's replay window for our call, counting the packets it accepts (each one the hub sent us that authenticated).</summary>
internal sealed class RoomCallReceived
{
    private readonly Core.Calls.ReplayWindow _window = new();
    private uint _accepted;

    /// <summary>Packets accepted since we joined (wrapping), read by the report loop.</summary>
    public uint Accepted => Volatile.Read(ref _accepted);

    public Core.Calls.ReplayWindow.Verdict Check(uint number) => _window.Check(number);

    public void Mark(uint number)
    {
        _window.Mark(number);
        Volatile.Write(ref _accepted, unchecked(_accepted + 1));
    }
}
