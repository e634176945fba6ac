using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;

namespace Parley.Bench.Rooms;

/// <summary>
/// A lightweight room member for the fan-out bench: a real TLS link and hello to the hub process, no
/// node behind it. It posts opaque sealed bytes (shaped as a <see cref="SealedRoomMessage"/>, with the
/// post's Stopwatch time in its first ciphertext bytes, since the hub cannot read them anyway), reads
/// the room's log from its join on (RoomSync), times each message entry the hub hands it from that
/// stamp, and acknowledges its read position as a node does (<see cref="Acknowledge"/>).
/// </summary>
internal sealed class BenchRoomMember
{
    /// <summary>Where the send time sits in a sealed message: after key ID u32, counter u64, tag (16) and the ciphertext length u32.</summary>
    private const int StampOffset = 4 + 8 + SealedRoomMessage.TagSize + 4;

    private readonly NodeIdentity _identity = NodeIdentity.CreateEphemeral();
    private readonly ConcurrentQueue<byte[]> _replies = new();
    private readonly Action<double> _arrived;
    private PeerLink _link = null!;
    private ulong _counter;
    private uint _posts;
    private ulong _read;
    private long _again;
    private ulong _acked;
    private string _room = "";

    private BenchRoomMember(Action<double> arrived) => _arrived = arrived;

    public DeviceId Id => _identity.DeviceId;

    /// <summary>Entries the hub handed over again (a sequence number at or below one already read).</summary>
    public long Again => Interlocked.Read(ref _again);

    public static async Task<BenchRoomMember> ConnectAsync(int port, DeviceId hub, string name, Action<double> arrived)
    {
        var member = new BenchRoomMember(arrived);
        member._link = await new LinkEstablisher(member._identity, new LinkOptions(), NullLoggerFactory.Instance).ConnectAsync(
            new IPEndPoint(IPAddress.Loopback, port), hub,
            _ => new Hello(Hello.CurrentVersion, member._identity.DeviceId, 0, 0, HelloFlags.None, name), CancellationToken.None);
        member._link.Start((_, frame) =>
        {
            member.OnFrame(frame);
            return ValueTask.CompletedTask;
        });
        return member;
    }

    /// <summary>Creates (a public room: the bench's members join without invites) or joins the room and waits for the hub's answer (an error throws).</summary>
    public async Task EnterAsync(RoomOp op, string room)
    {
        var command = op == RoomOp.Create ? RoomCommand.Of(1, op, room, RoomPolicy.First(_identity, room, isPublic: true).ToArray()) : new RoomCommand(1, op, room);
        _link.TrySend(FrameType.RoomCommand, command.ToArray());
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        byte[]? reply;
        while (!_replies.TryDequeue(out reply))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"no answer to {op} #{room}");
            }
            await Task.Delay(5);
        }
        if (WireMessage.TryRead<RoomMembersReply>(reply, out var answer, out _) && answer.Error is { } error)
        {
            throw new InvalidOperationException($"{op} #{room}: {error}");
        }
        _room = room;
        _link.TrySend(FrameType.RoomSync, new RoomPosition(room, 0).ToArray()); // read the room's log from the join on
    }

    /// <summary>Tells the hub how far this member has read, if further than last time (a node does so when its queue runs dry).</summary>
    public void Acknowledge()
    {
        var read = Interlocked.Read(ref _read);
        if (read > _acked)
        {
            _acked = read;
            _link.TrySend(FrameType.RoomAck, new RoomPosition(_room, read).ToArray());
        }
    }

    /// <summary>Posts one message of <paramref name="size"/> sealed bytes stamped with the time now; false if the link would not take it.</summary>
    public bool Post(string room, int size)
    {
        var ciphertext = new byte[Math.Max(8, size)];
        BitConverter.TryWriteBytes(ciphertext, Stopwatch.GetTimestamp());
        var sealedMessage = new SealedRoomMessage(1, ++_counter, new byte[SealedRoomMessage.TagSize], ciphertext, new byte[64]).ToArray();
        return _link.TrySend(FrameType.RoomMessage, new RoomMessage(++_posts, room, Id, sealedMessage).ToArray());
    }

    private void OnFrame(Frame frame)
    {
        switch (frame.Type)
        {
            case FrameType.RoomEntry when RoomEntry.TryRead(frame.Payload, out var entry, out _):
                if (entry.Seq <= Interlocked.Read(ref _read))
                {
                    Interlocked.Increment(ref _again); // handed over before: a hub's resend, not a delivery
                    break;
                }
                Interlocked.Exchange(ref _read, entry.Seq);
                if (entry.Kind == RoomEntryKind.Message && entry.Sender != Id)
                {
                    _arrived(Stopwatch.GetElapsedTime(BitConverter.ToInt64(entry.Body, StampOffset)).TotalMilliseconds);
                }
                break;
            case FrameType.RoomReply:
                _replies.Enqueue(frame.Payload.ToArray());
                break;
        }
    }

    public ValueTask DisposeAsync() => _link.DisposeAsync();
}
