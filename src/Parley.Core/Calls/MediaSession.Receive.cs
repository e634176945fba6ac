using System.Buffers;
using Parley.Core.Protocol;

namespace Parley.Core.Calls;

public sealed partial class MediaSession
{
    private const int MaxNackBatch = NackList.MaxNumbers;
    // Six asks: on a path losing 20 % each way an ask and its answer both get through 64 % of the
    // time, so three asks left 5 % of lost packets lost (and every frame after them undecodable until
    // a keyframe); six leave 0.2 %.
    private const int MaxNacksPerPacket = 6;
    private static readonly long GiveUpMs = 1000;
    private readonly FrameAssembler _tunnelPieces = new();

    /// <summary>How old a video packet may be and still be resent: as long as the receiver waits for it (see <see cref="FrameWaitMs"/>), at least 500 ms.</summary>
    private long ResendWindowMs => Math.Max(500, FrameWaitMs(RoundTripMs) + RoundTripMs);

    private long RoundTripMs => (long)(RoundTrip?.TotalMilliseconds ?? 100);

    /// <summary>How long a frame with a missing packet is waited for before it is given up: through every ask, one round trip apart.</summary>
    private static long FrameWaitMs(long rtt) => Math.Max(MaxNacksPerPacket * (NackSpacingMs(rtt) + 5) + 40, 150);

    private static long NackSpacingMs(long rtt) => Math.Max(rtt + 10, 20);

    /// <summary>Handles one datagram from the peer's address. Anything wrong is counted and dropped; nothing throws.</summary>
    /// <returns>Whether the packet was the peer's (new, and its tag verified): see <see cref="OnPacket(in MediaPacket)"/>.</returns>
    public bool OnPacket(ReadOnlyMemory<byte> datagram)
    {
        if (WireMessage.TryRead<MediaPacket>(datagram, out var packet, out _))
        {
            return OnPacket(packet);
        }
        Stats.CountMalformed();
        return false;
    }

    /// <summary>Handles one packet already read (by the media socket or from the link). Anything wrong is counted and dropped; nothing throws.</summary>
    /// <returns>
    /// Whether the packet was the peer's: new (not a replay) and sealed with the peer's key. Only
    /// these may be charged to the peer (a flood budget): anyone who knows the call ID, which travels
    /// in the clear, can send the rest.
    /// </returns>
    public bool OnPacket(in MediaPacket packet)
    {
        var header = packet.Header;
        if (header.CallId != _callId)
        {
            Stats.CountMalformed();
            return false;
        }
        if (header.PacketNumber == 0)
        {
            // Numbers start at 1 and a sender stops at uint.MaxValue (see KeysUsedUp): 0 can only be a
            // wrapped counter, whose nonce was used before. The window refuses the numbers after it.
            Stats.CountTooOld();
            return false;
        }
        List<MediaFrame> ready = [];
        byte[]? tunnel = null;
        lock (_receiveGate)
        {
            if (_disposed)
            {
                return false;
            }
            var verdict = _window.Check(header.PacketNumber);
            if (verdict != ReplayWindow.Verdict.New)
            {
                if (verdict == ReplayWindow.Verdict.Replayed)
                {
                    Stats.CountReplayed();
                }
                else
                {
                    Stats.CountTooOld();
                }
                return false;
            }
            if (!_open.TryOpen(packet, _opened, out var length))
            {
                Stats.CountForged();
                return false;
            }
            _window.Mark(header.PacketNumber);
            Stats.CountReceived();
            _receivedSinceReport++;
            NoteArrival(header.PacketNumber);
            var payload = new ReadOnlySequence<byte>(_opened, 0, length);
            switch (header.Kind)
            {
                case PacketKind.Media:
                    OnMedia(header, _opened.AsSpan(0, length), ready);
                    break;
                case PacketKind.Nack when NackList.TryRead(payload, out var nack, out _):
                    OnNack(nack);
                    break;
                case PacketKind.Report when ReceiverReport.TryRead(payload, out var report, out _):
                    OnReport(report);
                    break;
                case PacketKind.KeyframeRequest:
                    _listener.OnKeyframeRequested(header.Stream);
                    break;
                case PacketKind.Tunnel:
                    if (_tunnelPieces.Add(header, _opened.AsSpan(0, length)) is { } whole)
                    {
                        tunnel = whole.Data;
                    }
                    break;
                case PacketKind.Probe:
                    break; // its worth is that it opened: the socket learns the path from it
                default:
                    Stats.CountMalformed(); // authentic, but a NACK list or report of the wrong size
                    break;
            }
        }
        Deliver(ready);
        if (tunnel is not null)
        {
            _listener.OnTunnel(tunnel);
        }
        return true;
    }

    private void Deliver(List<MediaFrame> ready)
    {
        foreach (var frame in ready)
        {
            Stats.CountFrameReceived();
            _listener.OnFrame(frame);
        }
    }

    /// <summary>Packet numbers skipped are missing until they come (resent) or are given up.</summary>
    private void NoteArrival(uint number)
    {
        if (!_missing.Remove(number) && number > _highestReceived)
        {
            var now = NowMs;
            // An authentic but huge jump (a long outage) is not turned into a huge list.
            for (var n = Math.Max(_highestReceived + 1, (long)number - MaxNackBatch); n < number; n++)
            {
                _missing[(uint)n] = (now, -Never, 0);
                _missedSinceReport++;
            }
            _highestReceived = number;
        }
    }

    private void OnMedia(in MediaHeader header, ReadOnlySpan<byte> payload, List<MediaFrame> ready)
    {
        if (header.Stream == StreamKind.Audio)
        {
            NoteAudioJitter(header.Timestamp);
        }
        if (_assembler.Add(header, payload) is not { } frame)
        {
            return;
        }
        if (_order.TryGetValue(frame.Stream, out var order))
        {
            ready.AddRange(order.Add(frame, NowMs));
        }
        else
        {
            ready.Add(frame);
        }
    }

    /// <summary>RFC 3550 interarrival jitter on the 48 kHz audio clock, in milliseconds.</summary>
    private void NoteAudioJitter(uint timestamp)
    {
        var now = NowMs;
        if (_lastAudio is { } last)
        {
            var transit = (now - last.ArrivalMs) - (int)(timestamp - last.Timestamp) / 48.0;
            _jitterMs += (Math.Abs(transit) - _jitterMs) / 16;
        }
        _lastAudio = (now, timestamp);
    }

    /// <summary>Resends each listed packet still in the history and young enough, at most six times each; audio was never kept.</summary>
    private void OnNack(NackList nack)
    {
        foreach (var number in nack.Numbers)
        {
            lock (_sendGate)
            {
                var slot = number % HistorySize;
                if (_disposed)
                {
                    return;
                }
                // Video older than the resend window is not sent again: after an outage the receiver
                // asks for a keyframe and goes on from now, rather than replaying seconds of the past.
                if (_history[slot] is { } kept && kept.Number == number && kept.Retries < MaxNacksPerPacket && NowMs - kept.SentMs <= ResendWindowMs)
                {
                    _history[slot] = kept with { Retries = kept.Retries + 1 };
                    Transmit(kept.Packet);
                    Stats.CountRetransmitted();
                }
            }
        }
    }

    /// <summary>
    /// Work on a clock: NACK what has been missing a little while (again each round trip, six
    /// times at most), give up what has been missing a second, send the receiver report, and give
    /// up video frames waited for too long.
    /// </summary>
    public void Tick()
    {
        var now = NowMs;
        var rtt = RoundTripMs;
        List<MediaFrame> ready = [];
        var nack = new List<uint>();
        var keyframeFor = new List<StreamKind>();
        lock (_receiveGate)
        {
            foreach (var (number, state) in _missing.ToList())
            {
                if (now - state.FirstMissedMs > GiveUpMs)
                {
                    _missing.Remove(number);
                    Stats.CountLost();
                }
                else if (now - state.FirstMissedMs >= 10 && state.Nacks < MaxNacksPerPacket && now - state.LastNackMs >= NackSpacingMs(rtt) && nack.Count < MaxNackBatch)
                {
                    _missing[number] = state with { LastNackMs = now, Nacks = state.Nacks + 1 };
                    nack.Add(number);
                }
            }
            foreach (var (stream, order) in _order)
            {
                var (released, wantKeyframe) = order.Tick(now, FrameWaitMs(rtt), ResendWindowMs);
                ready.AddRange(released);
                if (wantKeyframe && now - _lastKeyframeRequestMs > Math.Max(rtt, 100))
                {
                    keyframeFor.Add(stream);
                    _lastKeyframeRequestMs = now;
                }
            }
        }
        Deliver(ready);
        if (nack.Count > 0)
        {
            SendControl(PacketKind.Nack, StreamKind.Video, new NackList(nack).ToArray());
            Stats.CountNack();
        }
        foreach (var stream in keyframeFor)
        {
            RequestKeyframe(stream);
        }
        if (now - _lastReportMs >= ReportEvery.TotalMilliseconds)
        {
            _lastReportMs = now;
            SendReport();
        }
    }

    /// <summary>Asks the peer's encoder for a keyframe (also when the local decoder needs one).</summary>
    public void RequestKeyframe(StreamKind stream)
    {
        SendControl(PacketKind.KeyframeRequest, stream, []);
        Stats.CountKeyframeRequest();
    }
}
