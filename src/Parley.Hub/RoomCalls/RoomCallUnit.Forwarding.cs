using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Parley.Core.Hub.RoomCalls;
using Parley.Core.Net;

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
                    // Batched on the UDP port's own thread; a link's packets come on pool threads, which should not each keep a batch.
                    Forward(call, sender, header, packet, scratch, socket is not null ? DatagramBatch.ForThisThread : null);
                    break;
                case RoomCallHopKind.Nack:
                    AnswerNack(call, sender, header, packet, scratch);
                    break;
                case RoomCallHopKind.KeyframeRequest:
                    if (Source(call, header) is { } source && source.ShouldAskKeyframe(KeyframeInterval))
                    {
                        AskSource(call, source, RoomCallHopKind.KeyframeRequest, header.Stream, [], scratch);
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

    /// <summary>
    /// A hop packet another hub of the cluster sent (its bridge packet already opened into <paramref name="packet"/>, the tag slot
    /// empty): media of one of its participants, forwarded here as if from a local sender (this hub's call ID and number for it
    /// written in); or a NACK or keyframe request for a source linked here, answered as for a receiver of this hub.
    /// </summary>
    public void OnBridged(ulong from, uint toCall, Span<byte> packet)
    {
        if (!RoomCallHop.TryReadHeader(packet, out var header))
        {
            Count(RoomCallDrop.Malformed);
            return;
        }
        if (!_calls.TryGetValue(toCall, out var call) || Array.Find(call.Hubs, h => h.Instance == from) is not { } hub)
        {
            Count(RoomCallDrop.UnknownCall);
            return;
        }
        var scratch = ArrayPool<byte>.Shared.Rent(RoomCallHop.MaxSize * 2);
        try
        {
            switch (header.Kind)
            {
                // The origin hub's own call ID inside, as its entry gives it: a call it restarted numbers from 1 again, and
                // its new participant's media must not pass for the old one's.
                case RoomCallHopKind.Media when header.CallId == hub.CallId && call.FindRemote(from, header.Source) is { } remote:
                    BinaryPrimitives.WriteUInt32BigEndian(packet[2..], call.Id);
                    BinaryPrimitives.WriteUInt16BigEndian(packet[8..], remote.Id);
                    Forward(call, remote, header with { CallId = call.Id, Source = remote.Id }, packet, scratch, DatagramBatch.ForThisThread); // the bridge's own receive thread
                    break;
                case RoomCallHopKind.Nack when call.Find(header.Source) is { } source && source.Sends(RoomCallHop.VideoStream):
                    AnswerHubNack(call, hub, source, packet, scratch);
                    break;
                case RoomCallHopKind.KeyframeRequest when call.Find(header.Source) is { } source && source.Sends(header.Stream):
                    if (source.ShouldAskKeyframe(KeyframeInterval))
                    {
                        AskSource(call, source, RoomCallHopKind.KeyframeRequest, header.Stream, [], scratch);
                    }
                    break;
                default:
                    Count(RoomCallDrop.UnknownParticipant);
                    break;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>Another hub lacks some of <paramref name="source"/>'s video: what its history has goes back there as media, the rest is asked of the source.</summary>
    private void AnswerHubNack(RoomCall call, RoomCallHub hub, RoomCallParticipant source, ReadOnlySpan<byte> packet, byte[] scratch) =>
        AnswerFromHistory(call, source, RoomCallHop.Body(packet), scratch, kept =>
        {
            Bridge?.Send(hub, kept);
            Interlocked.Increment(ref _forwarded);
        });

    /// <summary>
    /// Media to every other participant here (within each one's layers) and, when the sender is linked here, once to
    /// each other hub with participants in the call; what came from another hub goes to this hub's participants only.
    /// </summary>
    private void Forward(RoomCall call, RoomCallParty sender, in RoomCallHopHeader header, ReadOnlySpan<byte> packet, byte[] scratch, DatagramBatch? batch)
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
        try
        {
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
                receiver.Deliver(packet, scratch, batch);
                sent++;
            }
        }
        finally
        {
            batch?.Flush(); // what was sealed goes now, even if a later receiver's delivery threw
        }
        if (sender is RoomCallParticipant && Bridge is { } bridge)
        {
            foreach (var hub in call.Hubs)
            {
                bridge.Send(hub, packet);
                sent++;
            }
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
        AnswerFromHistory(call, source, RoomCallHop.Body(packet), scratch, kept =>
        {
            if (!asker.Layers.Allows(source.Id, RoomCallHop.VideoStream, RoomCallHop.Layer(kept)))
            {
                return; // skipped for this receiver on purpose: not resent, and not asked of the sender
            }
            if (asker.TryCharge(kept.Length, out _))
            {
                asker.Deliver(kept, scratch);
                Interlocked.Increment(ref _forwarded);
            }
        });
    }

    private delegate void Resend(ReadOnlySpan<byte> packet);

    /// <summary>
    /// Each sequence a NACK's <paramref name="body"/> names that <paramref name="source"/>'s history still has goes to <paramref name="resend"/>
    /// (from the second half of <paramref name="scratch"/>); the rest are asked of the source in one NACK.
    /// </summary>
    private void AnswerFromHistory(RoomCall call, RoomCallParty source, ReadOnlySpan<byte> body, byte[] scratch, Resend resend)
    {
        Span<byte> missing = stackalloc byte[RoomCallHop.MaxNacked * 2];
        var missed = 0;
        var kept = scratch.AsSpan(RoomCallHop.MaxSize, RoomCallHop.MaxSize);
        for (var i = 0; i + 1 < body.Length; i += 2)
        {
            var sequence = BinaryPrimitives.ReadUInt16BigEndian(body[i..]);
            var length = source.Video.TryCopy(sequence, kept);
            if (length == 0)
            {
                BinaryPrimitives.WriteUInt16BigEndian(missing[(missed++ * 2)..], sequence);
            }
            else
            {
                resend(kept[..length]);
            }
        }
        if (missed > 0)
        {
            AskSource(call, source, RoomCallHopKind.Nack, RoomCallHop.VideoStream, missing[..(missed * 2)], scratch);
        }
    }

    /// <summary>A NACK or keyframe request from this hub to a source: to it when it is linked here, else to its hub, naming it by that hub's number.</summary>
    private void AskSource(RoomCall call, RoomCallParty source, RoomCallHopKind kind, byte stream, ReadOnlySpan<byte> body, byte[] scratch)
    {
        var into = scratch.AsSpan(RoomCallHop.MaxSize);
        switch (source)
        {
            case RoomCallParticipant local:
                local.Deliver(Build(into, kind, call.Id, local.Id, stream, body), scratch);
                break;
            case RoomCallRemote remote:
                Bridge?.Send(remote.Hub, Build(into, kind, remote.Hub.CallId, remote.OriginId, stream, body));
                break;
            default:
                break;
        }
    }

    /// <summary>The others in the call that send video, with the highest layer each has sent: what a receiver's report chooses among.</summary>
    private static List<(ushort Id, int Top)> VideoSources(RoomCall call, RoomCallParticipant receiver) =>
        [.. call.Participants.Where(p => p != receiver).Cast<RoomCallParty>().Concat(call.Remotes).Where(p => p.Sends(RoomCallHop.VideoStream)).Select(p => (p.Id, p.TopLayer))];

    private RoomCallParty? Source(RoomCall call, in RoomCallHopHeader header)
    {
        if (call.FindParty(header.Source) is { } source && source.Sends(header.Stream))
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
