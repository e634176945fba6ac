using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Parley.Core.Hub.RoomCalls;

namespace Parley.Hub;

/// <summary>The forwarding path: every packet a participant sends, checked, then routed by kind.</summary>
internal sealed partial class RoomCallUnit
{
    private void Handle(ReadOnlySpan<byte> packet, Socket? socket, IPEndPoint? from, Member? viaLink)
    {
        if (!RoomCallHop.TryReadHeader(packet, out var header))
        {
            Count(RoomCallDrop.Malformed);
            return;
        }
        if (!_calls.TryGetValue(header.CallId, out var call))
        {
            Count(RoomCallDrop.UnknownCall);
            return;
        }
        if (call.Find(header.Hop) is not { } sender || (viaLink is not null && sender.Member != viaLink))
        {
            Count(RoomCallDrop.UnknownParticipant);
            return;
        }
        if (sender.Authenticate(packet, header.Counter) is { } failed)
        {
            Count(failed);
            return;
        }
        if (!sender.TryCharge(packet.Length, out var flooding))
        {
            Count(RoomCallDrop.OverBudget);
            if (flooding)
            {
                Leave(sender.Device, RoomCallChange.CutOff, sender.Member);
            }
            return;
        }
        if (socket is not null && from is not null && (sender.Udp is not { } known || known.Socket != socket || !known.EndPoint.Equals(from)))
        {
            sender.Udp = new RoomCallUdpPath(socket, from);
        }
        var scratch = ArrayPool<byte>.Shared.Rent(RoomCallHop.MaxSize * 2);
        try
        {
            switch (header.Kind)
            {
                case RoomCallHopKind.Media:
                    Forward(call, sender, header, packet, scratch);
                    break;
                case RoomCallHopKind.Nack:
                    AnswerNack(call, sender, header, packet, scratch);
                    break;
                case RoomCallHopKind.KeyframeRequest:
                    if (Source(call, header) is { } source && source.ShouldAskKeyframe(KeyframeInterval))
                    {
                        source.Deliver(Build(scratch.AsSpan(RoomCallHop.MaxSize), RoomCallHopKind.KeyframeRequest, call.Id, source.Id, header.Stream, []), scratch);
                    }
                    break;
                case RoomCallHopKind.Report:
                    sender.Layers.OnReport(BinaryPrimitives.ReadUInt32BigEndian(RoomCallHop.Body(packet)), VideoSources(call, sender));
                    break;
                default:
                    break; // a bind: where it came from is all it says
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    private void Forward(RoomCall call, RoomCallParticipant sender, in RoomCallHopHeader header, ReadOnlySpan<byte> packet, byte[] scratch)
    {
        if (header.Source != sender.Id || !sender.Sends(header.Stream))
        {
            Count(RoomCallDrop.UnknownStream);
            return;
        }
        if (header.Stream == RoomCallHop.VideoStream)
        {
            sender.Video.Add(header.Sequence, packet);
            sender.SawLayer(header.Layer);
        }
        var sent = 0;
        foreach (var receiver in call.Participants)
        {
            if (receiver == sender)
            {
                continue;
            }
            if (!receiver.Layers.Allows(sender.Id, header.Stream, header.Layer))
            {
                Interlocked.Increment(ref _skipped);
                continue;
            }
            receiver.Deliver(packet, scratch);
            sent++;
        }
        Interlocked.Add(ref _forwarded, sent);
    }

    /// <summary>Resends what the source's video history still has, each charged to the asker; asks the source for the rest in one NACK.</summary>
    private void AnswerNack(RoomCall call, RoomCallParticipant asker, in RoomCallHopHeader header, ReadOnlySpan<byte> packet, byte[] scratch)
    {
        if (header.Stream != RoomCallHop.VideoStream || Source(call, header) is not { } source || source == asker)
        {
            Count(RoomCallDrop.UnknownStream); // audio is never retransmitted
            return;
        }
        var body = RoomCallHop.Body(packet);
        Span<byte> missing = stackalloc byte[RoomCallHop.MaxNacked * 2];
        var missed = 0;
        var kept = scratch.AsSpan(RoomCallHop.MaxSize, RoomCallHop.MaxSize);
        for (var i = 0; i + 1 < body.Length; i += 2)
        {
            var sequence = BinaryPrimitives.ReadUInt16BigEndian(body[i..]);
            var length = source.Video.TryCopy(sequence, kept);
            if (length > 0 && !asker.Layers.Allows(source.Id, RoomCallHop.VideoStream, RoomCallHop.Layer(kept)))
            {
                continue; // skipped for this receiver on purpose: not resent, and not asked of the sender
            }
            if (length == 0)
            {
                BinaryPrimitives.WriteUInt16BigEndian(missing[(missed++ * 2)..], sequence);
            }
            else if (asker.TryCharge(length, out _))
            {
                asker.Deliver(kept[..length], scratch);
                Interlocked.Increment(ref _forwarded);
            }
        }
        if (missed > 0)
        {
            source.Deliver(Build(kept, RoomCallHopKind.Nack, call.Id, source.Id, RoomCallHop.VideoStream, missing[..(missed * 2)]), scratch);
        }
    }

    /// <summary>The others in the call that send video, with the highest layer each has sent: what a receiver's report chooses among.</summary>
    private static List<(ushort Id, int Top)> VideoSources(RoomCall call, RoomCallParticipant receiver) =>
        [.. call.Participants.Where(p => p != receiver && p.Sends(RoomCallHop.VideoStream)).Select(p => (p.Id, p.TopLayer))];

    private RoomCallParticipant? Source(RoomCall call, in RoomCallHopHeader header)
    {
        if (call.Find(header.Source) is { } source && source.Sends(header.Stream))
        {
            return source;
        }
        Count(RoomCallDrop.UnknownStream);
        return null;
    }

    /// <summary>A packet the hub itself sends a source (a NACK or keyframe request on behalf of its receivers); the tag is written on delivery.</summary>
    private static ReadOnlySpan<byte> Build(Span<byte> into, RoomCallHopKind kind, uint callId, ushort source, byte stream, ReadOnlySpan<byte> body)
    {
        RoomCallHop.WriteHeader(into, new RoomCallHopHeader(kind, RoomCallHopFlags.None, callId, source, source, stream, 127, 0, 0));
        body.CopyTo(into[RoomCallHop.HeaderSize..]);
        return into[..(RoomCallHop.HeaderSize + body.Length + RoomCallHop.TagSize)];
    }
}
