using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Parley.Core.Calls;
using Parley.Core.Hub.RoomCalls;
using Parley.Core.Net;
using Parley.Core.Protocol;

namespace Parley.Hub;

/// <summary>Where a participant's UDP packets come from, and the hub socket they reached (replies leave from it, so NATs pass them).</summary>
internal sealed record RoomCallUdpPath(Socket Socket, IPEndPoint EndPoint)
{
    /// <summary>The address as the kernel takes it, made once rather than for every datagram sent there.</summary>
    public SocketAddress Address { get; } = EndPoint.Serialize();
}

/// <summary>
/// One member in one room call, as the hub sees it: its hop key (checking what it sends, sealing what
/// the hub sends it, each under its own lock so one receive loop and the sending ones never share
/// an AES state), its replay window, its budget, where it is over UDP, and its video's history.
/// </summary>
internal sealed class RoomCallParticipant : RoomCallParty, IDisposable
{
    private readonly RoomCallHopKey _inbound;
    private readonly RoomCallHopKey _outbound;
    private readonly Lock _inLock = new();
    private readonly Lock _outLock = new();
    private readonly ReplayWindow _replay = new();
    private readonly TokenBucket _packets;
    private readonly TokenBucket _bytes;
    private readonly HubOptions _options;
    private readonly Lock _floodLock = new();
    private uint _counter;
    private long _floodSecond;
    private int _overThisSecond;

    public RoomCallParticipant(ushort id, Member member, RoomCallMedia media, HubOptions options)
        : base(id, member.Id, media, options.TimeProvider)
    {
        Member = member;
        _options = options;
        HopKey = RandomNumberGenerator.GetBytes(RoomCallHop.KeySize);
        _inbound = new RoomCallHopKey(HopKey);
        _outbound = new RoomCallHopKey(HopKey);
        _packets = new TokenBucket(options.RoomCallPacketsPerSecond, options.RoomCallPacketsPerSecond, options.TimeProvider);
        _bytes = new TokenBucket(options.RoomCallBytesPerSecond, options.RoomCallBytesPerSecond, options.TimeProvider);
        Layers = new RoomCallLayers(options.TimeProvider);
    }

    public Member Member { get; }

    /// <summary>Sent to the member once, over its TLS link, in the join grant.</summary>
    public byte[] HopKey { get; }

    /// <summary>Null until the participant's first authenticated UDP packet: until then the hub sends it packets over its link.</summary>
    public RoomCallUdpPath? Udp { get; set; }

    /// <summary>The temporal layers each source's video reaches this participant with, from its reports.</summary>
    public RoomCallLayers Layers { get; }

    /// <summary>Checks the tag and the replay window of a packet that names this participant as its hop; marks its counter when it passes.</summary>
    public RoomCallDrop? Authenticate(ReadOnlySpan<byte> packet, uint counter)
    {
        lock (_inLock)
        {
            if (Gone)
            {
                return RoomCallDrop.UnknownParticipant;
            }
            // The tag first, so a forgery is counted as one whatever counter it chose.
            if (!_inbound.Verify(packet, fromHub: false))
            {
                return RoomCallDrop.BadTag;
            }
            if (_replay.Check(counter) != ReplayWindow.Verdict.New)
            {
                return RoomCallDrop.Replayed;
            }
            _replay.Mark(counter);
            return null;
        }
    }

    /// <summary>
    /// Spends the budget for <paramref name="bytes"/>; false when over it. <paramref name="cutOff"/> says it
    /// went past twice its packet budget within one second: a flood, not a burst.
    /// </summary>
    public bool TryCharge(int bytes, out bool cutOff)
    {
        cutOff = false;
        if (_packets.TryTake() && _bytes.TryTake(bytes))
        {
            return true;
        }
        lock (_floodLock)
        {
            var second = _options.TimeProvider.GetTimestamp() / _options.TimeProvider.TimestampFrequency;
            if (second != _floodSecond)
            {
                (_floodSecond, _overThisSecond) = (second, 0);
            }
            cutOff = ++_overThisSecond > _options.RoomCallPacketsPerSecond;
        }
        return false;
    }

    /// <summary>
    /// Sends <paramref name="packet"/> (a hop packet as another hop sent it, or one the hub wrote) to this
    /// participant: rewritten in <paramref name="scratch"/> with its own hop ID and counter and sealed
    /// with its key; over UDP when it has shown where it is, else over its link.
    /// </summary>
    public void Deliver(ReadOnlySpan<byte> packet, Span<byte> scratch, DatagramBatch? batch = null)
    {
        if (Gone)
        {
            return;
        }
        var udp = Udp;
        // Over UDP with a batch the copy is sealed in the batch's slot and goes out with the others' copies in one call.
        var copy = udp is not null && batch is not null ? batch.Reserve(packet.Length) : scratch[..packet.Length];
        packet.CopyTo(copy);
        lock (_outLock)
        {
            if (Gone)
            {
                return;
            }
            RoomCallHop.SetHop(copy, Id, ++_counter);
            _outbound.Seal(copy, fromHub: true);
        }
        Layers.Sent();
        if (udp is null)
        {
            Member.Link.TrySend(FrameType.RoomCallPacket, copy.ToArray());
        }
        else if (batch is not null)
        {
            batch.Add(udp.Socket, udp.Address, copy.Length);
        }
        else
        {
            try
            {
                udp.Socket.SendTo(copy, SocketFlags.None, udp.Address);
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // best effort, as UDP is
            }
        }
    }

    /// <summary>Called once it is out of the call (<see cref="Gone"/> set): waits for any packet being sealed or checked with its key.</summary>
    public void Dispose()
    {
        Gone = true;
        lock (_inLock)
        {
            _inbound.Dispose();
        }
        lock (_outLock)
        {
            _outbound.Dispose();
        }
    }
}
