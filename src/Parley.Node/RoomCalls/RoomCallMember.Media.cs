using System.Net;
using System.Net.Sockets;
using Parley.Core.Hub.RoomCalls;
using Parley.Core.Protocol;

namespace Parley.Node.RoomCalls;

/// <summary>Frame parts out (sealed end to end, then for the hop) and in (checked for the hop, opened with the sender's key).</summary>
internal sealed partial class RoomCallMember
{
    /// <summary>Largest frame part one packet carries (the rest of a frame goes in further packets). 1,200 bytes.</summary>
    public const int MaxMediaPart = RoomCallFrameParts.MaxMediaPart;

    /// <summary>
    /// Sends one frame part on <paramref name="stream"/> to every other participant; false when not in a call.
    /// <paramref name="layer"/>: the video frame's temporal layer (WebCodecs <c>svc.temporalLayerId</c>, 0-3), by which the hub picks what each receiver gets.
    /// </summary>
    public bool SendMedia(byte stream, ReadOnlySpan<byte> media, bool keyframe, byte audioLevel = 127, byte layer = 0, bool endOfFrame = true)
    {
        if (media.Length > MaxMediaPart || stream > RoomCallHop.VideoStream || layer > RoomCallHop.TopLayer)
        {
            throw new ArgumentException($"a frame part is at most {MaxMediaPart} bytes, on stream 0 (audio) or 1 (video), layer 0-3", nameof(media));
        }
        if (_call is not { } call)
        {
            return false;
        }
        Span<byte> body = stackalloc byte[media.Length + RoomCallFrameCipher.Overhead];
        ushort sequence;
        lock (call.Lock)
        {
            if (call.MyCipher is not { } cipher)
            {
                return false;
            }
            cipher.Seal(media, body);
            sequence = call.Sequences[stream]++;
        }
        var flags = (keyframe ? RoomCallHopFlags.Keyframe : RoomCallHopFlags.None) | (endOfFrame ? RoomCallHopFlags.EndOfFrame : RoomCallHopFlags.None)
            | RoomCallHop.LayerFlags(layer);
        return Send(call, RoomCallHopKind.Media, stream, flags, sequence, body, audioLevel);
    }

    private bool Send(RoomCallState call, RoomCallHopKind kind, byte stream, RoomCallHopFlags flags, ushort sequence, ReadOnlySpan<byte> body, byte level = 127,
        ushort? source = null)
    {
        var packet = new byte[RoomCallHop.HeaderSize + body.Length + RoomCallHop.TagSize];
        body.CopyTo(packet.AsSpan(RoomCallHop.HeaderSize));
        lock (call.Lock)
        {
            if (_call != call)
            {
                return false;
            }
            RoomCallHop.WriteHeader(packet, new RoomCallHopHeader(kind, flags, call.CallId, call.Participant, source ?? call.Participant, stream, level, sequence,
                ++call.HopCounter));
            call.SendKey.Seal(packet, fromHub: false);
        }
        if (kind == RoomCallHopKind.Media && stream == RoomCallHop.VideoStream)
        {
            call.SentVideo.Add(sequence, packet);
        }
        return SendSealed(call, packet);
    }

    private bool SendSealed(RoomCallState call, byte[] packet)
    {
        if (call.HubUdp is { } hub && _udp is { } udp)
        {
            try
            {
                udp.SendTo(packet, hub);
                return true;
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return false;
            }
        }
        return channel.TrySend(FrameType.RoomCallPacket, new RoomCallPacket(packet));
    }

    private async Task ReceiveLoopAsync(RoomCallState call, Socket udp, CancellationToken stop)
    {
        var buffer = new byte[RoomCallHop.MaxSize + 64];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var received = await udp.ReceiveFromAsync(buffer, SocketFlags.None, any, stop).ConfigureAwait(false);
                if (received.RemoteEndPoint.Equals(call.HubUdp))
                {
                    Open(call, buffer.AsSpan(0, received.ReceivedBytes));
                }
            }
            catch (SocketException)
            {
                // an ICMP error for an earlier packet: UDP goes on
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
        }
    }

    /// <summary>Asks <paramref name="from"/>'s video for a keyframe (the hub passes one request for all its receivers); false when not in a call with it.</summary>
    public bool RequestKeyframe(Core.Identity.DeviceId from)
    {
        if (_call is not { } call)
        {
            return false;
        }
        ushort? source = null;
        lock (call.Lock)
        {
            foreach (var (participant, device) in call.Others)
            {
                source = device == from ? participant : source;
            }
        }
        return source is { } id && Send(call, RoomCallHopKind.KeyframeRequest, RoomCallHop.VideoStream, RoomCallHopFlags.None, 0, [], source: id);
    }

    /// <summary>Asks the hub again for <paramref name="from"/>'s video packets we did not get (from its history; the hub asks the sender for what it no longer has).</summary>
    public bool SendNack(Core.Identity.DeviceId from, IReadOnlyList<ushort> sequences)
    {
        if (_call is not { } call || sequences.Count == 0)
        {
            return false;
        }
        ushort? source = null;
        lock (call.Lock)
        {
            foreach (var (participant, device) in call.Others)
            {
                source = device == from ? participant : source;
            }
        }
        var body = new byte[Math.Min(sequences.Count, RoomCallHop.MaxNacked) * 2];
        for (var i = 0; i < body.Length / 2; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(i * 2), sequences[i]);
        }
        return source is { } id && Send(call, RoomCallHopKind.Nack, RoomCallHop.VideoStream, RoomCallHopFlags.None, 0, body, source: id);
    }

    /// <summary>The hub lacks these of our video packets (a receiver asked): sent again from our history, under new hop counters. Under the call's lock.</summary>
    private void Resend(RoomCallState call, ReadOnlySpan<byte> sequences)
    {
        var copy = new byte[RoomCallHop.MaxSize];
        for (var i = 0; i + 1 < sequences.Length; i += 2)
        {
            var length = call.SentVideo.TryCopy(System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(sequences[i..]), copy);
            if (length > 0)
            {
                var packet = copy[..length];
                RoomCallHop.SetHop(packet, call.Participant, ++call.HopCounter);
                call.SendKey.Seal(packet, fromHub: false);
                Interlocked.Increment(ref _resent);
                _ = SendSealed(call, packet);
            }
        }
    }

    /// <summary>A hop packet from the hub (over UDP or the link): checked for us, then by kind.</summary>
    private void Open(RoomCallState call, ReadOnlySpan<byte> packet)
    {
        if (!RoomCallHop.TryReadHeader(packet, out var header) || header.CallId != call.CallId || header.Hop != call.Participant)
        {
            Interlocked.Increment(ref _unopened);
            return;
        }
        RoomCallMediaPart? part = null;
        lock (call.Lock)
        {
            if (_call != call || !call.ReceiveKey.Verify(packet, fromHub: true) || call.Replay.Check(header.Counter) != Core.Calls.ReplayWindow.Verdict.New)
            {
                Interlocked.Increment(ref _unopened);
                return;
            }
            call.Replay.Mark(header.Counter);
            if (header.Kind == RoomCallHopKind.Media)
            {
                var body = RoomCallHop.Body(packet);
                var media = new byte[Math.Max(0, body.Length - RoomCallFrameCipher.Overhead)];
                if (RoomCallFrameCipher.TryKeyId(body, out var keyId) && call.Others.TryGetValue(header.Source, out var from))
                {
                    if (call.TheirKeys.TryGetValue((header.Source, keyId), out var cipher))
                    {
                        part = cipher.TryOpen(body, media, out _) ? RoomCallMediaPart.Of(from, header, media) : null;
                    }
                    else
                    {
                        // Its new key is on its way over the link and the media outran it (the first keyframe after a join does): kept a moment.
                        call.AwaitingKey.Keep(header, body, time.GetTimestamp(), time);
                        return;
                    }
                }
            }
            else if (header.Kind == RoomCallHopKind.KeyframeRequest)
            {
                Interlocked.Increment(ref _keyframeRequests);
                KeyframeRequested?.Invoke();
                return;
            }
            else if (header.Kind == RoomCallHopKind.Nack)
            {
                Resend(call, RoomCallHop.Body(packet));
                return;
            }
        }
        if (part is null)
        {
            if (header.Kind == RoomCallHopKind.Media)
            {
                Interlocked.Increment(ref _unopened);
            }
            return;
        }
        _received.Writer.TryWrite(part);
    }
}
