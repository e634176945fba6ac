using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Parley.Core.Hub.Relay;
using Parley.Core.Hub.RoomCalls;
using Parley.Core.Hub.Rooms;
using Parley.Core.Protocol;

namespace Parley.Testing;

/// <summary>
/// A room call participant written by hand, for tests and the bench: a real TLS link to the hub (room
/// commands, the call's frames, read by one background loop into a queue) and a real UDP socket on its
/// own loopback address. It sends hop packets as a node would — or as an attacker would: under another's
/// participant ID, with a wrong key, replayed, or far too many.
/// </summary>
public sealed class RoomCallClient : IAsyncDisposable
{
    private readonly Channel<(FrameType Type, byte[] Payload)> _frames = Channel.CreateUnbounded<(FrameType, byte[])>();
    private readonly IPEndPoint _hubUdp;
    private readonly Task _reading;
    private uint _requests;
    private uint _counter;

    private RoomCallClient(AttackerLink link, Socket udp, IPEndPoint hubUdp)
    {
        Link = link;
        Udp = udp;
        _hubUdp = hubUdp;
        _reading = Task.Run(ReadAsync);
    }

    public AttackerLink Link { get; }

    public Socket Udp { get; }

    public uint CallId { get; private set; }

    public ushort Participant { get; private set; }

    public RoomCallHopKey? HopKey { get; private set; }

    public static async Task<RoomCallClient> ConnectAsync(int hubPort, string name, IPAddress udpAddress)
    {
        var link = await AttackerLink.ConnectAsync(new IPEndPoint(IPAddress.Loopback, hubPort), name);
        var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        udp.Bind(new IPEndPoint(udpAddress, 0));
        udp.ReceiveBufferSize = 4 << 20;
        return new RoomCallClient(link, udp, new IPEndPoint(IPAddress.Loopback, hubPort));
    }

    private async Task ReadAsync()
    {
        while (await Link.ReadFrameAsync(TimeSpan.FromDays(1)) is { } frame)
        {
            _frames.Writer.TryWrite((frame.Type, System.Buffers.BuffersExtensions.ToArray(frame.Payload)));
        }
        _frames.Writer.TryComplete();
    }

    /// <summary>The next frame of <paramref name="type"/> that <paramref name="match"/> accepts (others are skipped), or null within the timeout.</summary>
    public async Task<T?> WaitAsync<T>(FrameType type, Func<T, bool>? match = null, TimeSpan? timeout = null) where T : class, IWireMessage<T>
    {
        using var cancel = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(5));
        try
        {
            while (true)
            {
                var (got, payload) = await _frames.Reader.ReadAsync(cancel.Token);
                if (got == type && WireMessage.TryRead<T>(payload, out var message, out _) && (match is null || match(message)))
                {
                    return message;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            return null;
        }
    }

    /// <summary>Runs a room command and returns the hub's error (null when it did it).</summary>
    public async Task<string?> RoomAsync(RoomOp op, string room, byte[] blob)
    {
        var id = ++_requests;
        await Link.SendAsync(FrameType.RoomCommand, RoomCommand.Of(id, op, room, blob));
        var reply = await WaitAsync<RoomMembersReply>(FrameType.RoomReply, r => r.CommandId == id) ?? throw new TimeoutException($"no reply to {op} #{room}");
        return reply.Error;
    }

    /// <summary>Creates a public room (anyone on the hub may join it, and so its call).</summary>
    public Task<string?> CreatePublicRoomAsync(string room) => RoomAsync(RoomOp.Create, room, RoomPolicy.First(Link.Identity, room, isPublic: true).ToArray());

    /// <summary>Asks to join the room's call: null when in (call, participant and hop key set), else the hub's refusal.</summary>
    public async Task<string?> JoinCallAsync(string room, RoomCallMedia media = RoomCallMedia.Audio | RoomCallMedia.Video)
    {
        var id = ++_requests;
        await Link.SendAsync(FrameType.RoomCallJoin, new RoomCallJoin(id, room, media));
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        return await JoinedAfterAsync(id, cancel.Token);
    }

    private async Task<string?> JoinedAfterAsync(uint id, CancellationToken cancel)
    {
        var held = new List<(FrameType, byte[])>();
        try
        {
            while (await _frames.Reader.ReadAsync(cancel) is var (type, payload))
            {
                if (type == FrameType.RoomCallJoined && WireMessage.TryRead<RoomCallJoined>(payload, out var joined, out _) && joined.RequestId == id)
                {
                    (CallId, Participant, HopKey, _counter) = (joined.CallId, joined.Participant, new RoomCallHopKey(joined.HopKey), 0);
                    return null;
                }
                if (type == FrameType.RoomCallRefused && WireMessage.TryRead<RelayRefused>(payload, out var refused, out _) && refused.RequestId == id)
                {
                    return refused.Reason;
                }
                held.Add((type, payload));
            }
            return "no answer";
        }
        catch (OperationCanceledException)
        {
            return "no answer to the call join";
        }
        finally
        {
            foreach (var frame in held)
            {
                _frames.Writer.TryWrite(frame);
            }
        }
    }

    /// <summary>
    /// A hop packet as this participant (or, spoofing, as <paramref name="hop"/>), sealed with this
    /// participant's key (or <paramref name="key"/>): the bytes, to send by UDP or over the link.
    /// </summary>
    public byte[] Packet(RoomCallHopKind kind, byte stream, ushort sequence, ReadOnlySpan<byte> body, RoomCallHopFlags flags = RoomCallHopFlags.None,
        ushort? hop = null, ushort? source = null, RoomCallHopKey? key = null, uint? callId = null, uint? counter = null)
    {
        var packet = new byte[RoomCallHop.HeaderSize + body.Length + RoomCallHop.TagSize];
        var from = hop ?? Participant;
        RoomCallHop.WriteHeader(packet, new RoomCallHopHeader(kind, flags, callId ?? CallId, from, source ?? from, stream, 40, sequence, counter ?? ++_counter));
        body.CopyTo(packet.AsSpan(RoomCallHop.HeaderSize));
        (key ?? HopKey!).Seal(packet, fromHub: false);
        return packet;
    }

    public void SendUdp(byte[] packet) => Udp.SendTo(packet, _hubUdp);

    /// <summary>Shows the hub where this participant is over UDP.</summary>
    public void Bind() => SendUdp(Packet(RoomCallHopKind.Bind, 0, 0, []));

    public void SendMedia(byte stream, ushort sequence, ReadOnlySpan<byte> body, RoomCallHopFlags flags = RoomCallHopFlags.None) =>
        SendUdp(Packet(RoomCallHopKind.Media, stream, sequence, body, flags));

    public void SendNack(ushort source, params ushort[] sequences)
    {
        var body = new byte[sequences.Length * 2];
        for (var i = 0; i < sequences.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(i * 2), sequences[i]);
        }
        SendUdp(Packet(RoomCallHopKind.Nack, RoomCallHop.VideoStream, 0, body, source: source));
    }

    /// <summary>The next UDP packet from the hub that this participant's hop key verifies, with its header; null within the timeout.</summary>
    public async Task<(RoomCallHopHeader Header, byte[] Packet)?> ReceiveAsync(TimeSpan timeout)
    {
        var buffer = new byte[2048];
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var received = await Udp.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cancel.Token);
                var packet = buffer[..received.ReceivedBytes];
                if (RoomCallHop.TryReadHeader(packet, out var header) && header.Hop == Participant && HopKey!.Verify(packet, fromHub: true))
                {
                    return (header, packet);
                }
            }
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    /// <summary>
    /// Every verified packet arriving until none has come for <paramref name="quiet"/> (the first may take
    /// <paramref name="firstWithin"/>, for a busy machine, when one is expected).
    /// </summary>
    public async Task<List<(RoomCallHopHeader Header, byte[] Packet)>> DrainAsync(TimeSpan quiet, TimeSpan? firstWithin = null)
    {
        var all = new List<(RoomCallHopHeader, byte[])>();
        while (all.Count < 1_000_000 && await ReceiveAsync(all.Count == 0 ? firstWithin ?? quiet : quiet) is { } got)
        {
            all.Add(got);
        }
        return all;
    }

    public async ValueTask DisposeAsync()
    {
        await Link.DisposeAsync();
        await _reading;
        Udp.Dispose();
        HopKey?.Dispose();
    }
}
