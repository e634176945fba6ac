using System.Buffers.Binary;
using System.Threading.Channels;
using Parley.Core.Calls;
using Parley.Core.Hub.RoomCalls;

namespace Parley.Node.RoomCalls;

/// <summary>The others' frame parts: put back together per participant and handed to the page; a frame that cannot be completed asks its sender for a keyframe.</summary>
internal sealed partial class RoomCallSession
{
    /// <summary>Most sequences one NACK asks for again; a longer gap waits for the keyframe it leads to. 16.</summary>
    private const int MaxGapNacked = 16;

    /// <summary>Reads the parts the member opened until <paramref name="stop"/>; our state goes out again every <see cref="StateInterval"/> meanwhile.</summary>
    public async Task RunAsync(ChannelReader<RoomCallMediaPart> parts, CancellationToken stop)
    {
        using var heartbeat = new PeriodicTimer(StateInterval, time);
        try
        {
            var next = parts.WaitToReadAsync(stop).AsTask();
            var beat = heartbeat.WaitForNextTickAsync(stop).AsTask();
            while (true)
            {
                if (await Task.WhenAny(next, beat).ConfigureAwait(false) == beat)
                {
                    if (!await beat.ConfigureAwait(false))
                    {
                        return;
                    }
                    SendState();
                    beat = heartbeat.WaitForNextTickAsync(stop).AsTask();
                    continue;
                }
                if (!await next.ConfigureAwait(false))
                {
                    return;
                }
                while (parts.TryRead(out var part))
                {
                    Take(part);
                }
                next = parts.WaitToReadAsync(stop).AsTask();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Take(RoomCallMediaPart part)
    {
        if (part.Participant == Participant)
        {
            OwnFramesReceived++;
            return;
        }
        if (!RoomCallFramePart.TryRead(part.Media, out var header))
        {
            return;
        }
        var askKeyframe = false;
        var peersChanged = false;
        List<ushort>? missing = null;
        lock (_lock)
        {
            if (!_peers.TryGetValue(part.Participant, out var peer))
            {
                return;
            }
            if (header.Kind == RoomCallPartKind.State)
            {
                var state = part.Media.Length > RoomCallFramePart.Size ? (RoomCallPeerState)(part.Media[RoomCallFramePart.Size] & 7) : RoomCallPeerState.None;
                peersChanged = peer.State != state;
                peer.State = state;
            }
            else
            {
                if (header.Kind == RoomCallPartKind.Audio)
                {
                    peer.Level = part.Level;
                }
                else
                {
                    missing = Gap(peer, part.Sequence);
                }
                var abandoned = peer.Frames.Abandoned;
                if (peer.Frames.Add(header.AsMediaHeader(), part.Media.AsSpan(RoomCallFramePart.Size)) is { } frame)
                {
                    if (frame.Stream != StreamKind.Audio)
                    {
                        peer.HadKeyframe[(int)frame.Stream] |= frame.Keyframe;
                        askKeyframe = !peer.HadKeyframe[(int)frame.Stream];
                    }
                    var whole = new RoomCallFrame(peer.Participant, peer.Level, frame);
                    // Kept for a late page, and written to the page under the lock, so a replay never crosses newer frames.
                    peer.Replays[(int)frame.Stream]?.Add(frame, time.GetTimestamp());
                    FramesToPage[(int)frame.Stream]++;
                    _page?.Writer.TryWrite(whole);
                }
                if (peer.Frames.Abandoned != abandoned)
                {
                    askKeyframe = true;
                    peer.Replays[(int)header.Kind]?.Clear(); // a run with a frame missing would decode to a broken picture
                }
            }
            askKeyframe = askKeyframe && peer.TryAskKeyframe(time);
        }
        if (missing is { Count: > 0 })
        {
            member.SendNack(part.From, missing);
        }
        if (askKeyframe)
        {
            member.RequestKeyframe(part.From);
        }
        if (peersChanged)
        {
            ListToPage();
        }
    }

    /// <summary>The video sequences skipped before this one (a short gap only: a long one means a keyframe is coming or due). Under the lock.</summary>
    private static List<ushort>? Gap(RoomCallPeer peer, ushort sequence)
    {
        var expected = peer.NextVideoSequence;
        var ahead = expected is { } e ? (short)(sequence - e) : 0;
        if (ahead < 0)
        {
            return null; // late: a resent packet, or one that crossed others
        }
        peer.NextVideoSequence = (ushort)(sequence + 1);
        if (ahead == 0 || ahead > MaxGapNacked)
        {
            return null;
        }
        var missing = new List<ushort>(ahead);
        for (var i = 0; i < ahead; i++)
        {
            missing.Add((ushort)(expected!.Value + i));
        }
        return missing;
    }

    /// <summary>The frame as the page's decoder takes it, with who sent it: <c>participant u16 | level u8 | page frame</c>.</summary>
    public static byte[] ForPage(RoomCallFrame item)
    {
        var writer = new System.Buffers.ArrayBufferWriter<byte>(3 + PageFrame.HeaderSize + item.Frame.Data.Length);
        var head = writer.GetSpan(3);
        BinaryPrimitives.WriteUInt16BigEndian(head, item.Participant);
        head[2] = item.Level;
        writer.Advance(3);
        PageFrame.Of(item.Frame).Write(writer);
        return writer.WrittenSpan.ToArray();
    }
}
