using System.Buffers.Binary;

namespace Parley.Core.Calls;

/// <summary>
/// One side of one call's media over an unreliable datagram path. Frames go out as sealed packets
/// (<see cref="FrameAssembler.Split"/>); video packets are kept a while to be sent again, byte for
/// byte, when the receiver reports them missing (NACK). Incoming packets are checked (header,
/// tag, replay window) and counted when dropped; fragments become frames; video frames go through
/// a <see cref="VideoOrderBuffer"/>, audio frames go on at once (the player's buffer absorbs
/// jitter, and audio is never held for a resend). <see cref="Tick"/>, called every few
/// milliseconds, sends NACKs, receiver reports every 250 ms and keyframe requests, and gives up on
/// late video frames. Reports from the peer give the round-trip time and the loss that steers
/// <see cref="TargetBitrate"/>.
/// </summary>
public sealed partial class MediaSession : IDisposable
{
    public const int MinBitrate = 100_000;
    public const int MaxBitrate = 4_000_000;
    private const int HistorySize = 1024;

    /// <summary>What the call ends with when its media keys are used up (<see cref="KeysUsedUp"/>).</summary>
    public const string KeysUsedUpReason = "the call's media keys are used up: call again";

    /// <summary>The value of <see cref="_nextPacket"/> once every number has been used: packet numbers start at 1, so 0 is never sealed.</summary>
    private const uint UsedUp = 0;

    /// <summary>A time long before the session began, for "never happened" (no overflow when subtracted, unlike MinValue).</summary>
    private const long Never = 1_000_000;
    private static readonly TimeSpan ReportEvery = TimeSpan.FromMilliseconds(250);
    private readonly uint _callId;
    private readonly MediaCrypto _seal;
    private readonly MediaCrypto _open;
    private readonly Func<ReadOnlyMemory<byte>, bool> _send;
    private readonly IMediaSessionListener _listener;
    private readonly TimeProvider _time;
    private readonly long _epoch;
    private readonly Lock _sendGate = new();
    private readonly Lock _receiveGate = new();

    /// <summary>Where a packet's payload is decrypted (under the receive gate): one buffer for the call, not one per packet.</summary>
    private readonly byte[] _opened = new byte[MediaHeader.MaxTunnelPayload];
    private readonly (uint Number, byte[] Packet, int Retries, long SentMs)?[] _history = new (uint, byte[], int, long)?[HistorySize];
    private readonly Dictionary<StreamKind, ushort> _nextFrame = [];
    private readonly ReplayWindow _window = new();
    private readonly FrameAssembler _assembler = new();
    private readonly Dictionary<StreamKind, VideoOrderBuffer> _order = new() { [StreamKind.Video] = new(), [StreamKind.Screen] = new() };
    private readonly Dictionary<uint, (long FirstMissedMs, long LastNackMs, int Nacks)> _missing = [];
    private uint _nextPacket = 1;
    private ushort _nextTunnel;
    private long _highestReceived; // packet numbers start at 1
    private long _lastReportMs = -Never;
    private long _lastKeyframeRequestMs = -Never;
    private (uint SentAt, long ReceivedMicros)? _peerReport;
    private long _missedSinceReport, _receivedSinceReport;
    private double _jitterMs;
    private (long ArrivalMs, uint Timestamp)? _lastAudio;
    private int _targetBitrate = 1_000_000;
    private bool _disposed; // set under both gates, so no seal or open runs on disposed keys

    /// <param name="send">Puts a sealed packet on the path; false when it could not (counted as not sent).</param>
    /// <param name="listener">Hears the frames that arrive and the peer's requests to the encoder.</param>
    public MediaSession(uint callId, ReadOnlySpan<byte> secret, bool isCaller, Func<ReadOnlyMemory<byte>, bool> send, IMediaSessionListener listener, TimeProvider time)
    {
        _callId = callId;
        (_seal, _open) = MediaCrypto.ForCall(secret, isCaller);
        _send = send;
        _listener = listener;
        _time = time;
        _epoch = time.GetTimestamp();
    }

    public uint CallId => _callId;

    public MediaStats Stats { get; } = new();

    public int TargetBitrate => Volatile.Read(ref _targetBitrate);

    /// <summary>The latest round-trip time from reports, or null before the first.</summary>
    public TimeSpan? RoundTrip { get; private set; }

    /// <summary>Inter-arrival jitter of audio, in milliseconds (RFC 3550's estimator).</summary>
    public double JitterMs => _jitterMs;

    private long NowMs => (long)_time.GetElapsedTime(_epoch).TotalMilliseconds;

    private long NowMicros => (long)_time.GetElapsedTime(_epoch).TotalMicroseconds;

    /// <summary>Seals and sends a frame; video and screen packets are remembered for resending.</summary>
    public void SendFrame(StreamKind stream, uint timestamp, bool keyframe, byte codec, ReadOnlySpan<byte> data)
    {
        lock (_sendGate)
        {
            if (_disposed)
            {
                return;
            }
            var slices = FrameAssembler.Split(data.Length).ToList();
            if (!HasPacketNumbers(slices.Count))
            {
                return; // not half a frame: the call ends (KeysUsedUp) before anything more is sealed
            }
            var number = _nextFrame.GetValueOrDefault(stream);
            _nextFrame[stream] = (ushort)(number + 1);
            for (var i = 0; i < slices.Count; i++)
            {
                var (offset, length) = slices[i];
                var header = new MediaHeader(PacketKind.Media, stream, _callId, _nextPacket++, timestamp, number, (byte)i, (byte)slices.Count,
                    keyframe ? MediaFlags.Keyframe : MediaFlags.None, codec);
                var packet = new byte[MediaHeader.Size + length + MediaHeader.TagSize];
                _seal.Seal(header, data.Slice(offset, length), packet);
                if (stream != StreamKind.Audio)
                {
                    _history[header.PacketNumber % HistorySize] = (header.PacketNumber, packet, 0, NowMs);
                }
                Transmit(packet);
            }
            Stats.CountFrameSent();
        }
    }

    /// <summary>
    /// Seals and sends one datagram of the local page's WebRTC engine, in as many pieces as it needs, each
    /// kept for resending like video. WebRTC recovers losses too, but end to end and slowly: it asks after a
    /// gap it has waited on, and at 20 % loss it cuts its rate to a few frames a second. Asked for between
    /// the nodes, one round trip apart up to six times, a lost piece is back before the page's jitter buffer
    /// gives up on it, and the engine sees a path that delays a little rather than one that loses.
    /// </summary>
    public void SendTunnel(ReadOnlySpan<byte> datagram)
    {
        lock (_sendGate)
        {
            var slices = FrameAssembler.Split(datagram.Length, MediaHeader.MaxTunnelPayload).ToList();
            if (_disposed || !HasPacketNumbers(slices.Count))
            {
                return;
            }
            var number = _nextTunnel++;
            for (var i = 0; i < slices.Count; i++)
            {
                var (offset, length) = slices[i];
                var header = new MediaHeader(PacketKind.Tunnel, StreamKind.Audio, _callId, _nextPacket++, 0, number, (byte)i, (byte)slices.Count, MediaFlags.None, 0);
                var packet = new byte[MediaHeader.Size + length + MediaHeader.TagSize];
                _seal.Seal(header, datagram.Slice(offset, length), packet);
                _history[header.PacketNumber % HistorySize] = (header.PacketNumber, packet, 0, NowMs);
                Transmit(packet);
            }
        }
    }

    /// <summary>A sealed connectivity check (no payload) to send to one of the peer's addresses; null once the call is over.</summary>
    public byte[]? SealProbe()
    {
        lock (_sendGate)
        {
            if (_disposed || !HasPacketNumbers(1))
            {
                return null;
            }
            var header = new MediaHeader(PacketKind.Probe, StreamKind.Audio, _callId, _nextPacket++, 0, 0, 0, 1, MediaFlags.None, 0);
            var packet = new byte[MediaHeader.Size + MediaHeader.TagSize];
            _seal.Seal(header, [], packet);
            return packet;
        }
    }

    private void SendControl(PacketKind kind, StreamKind stream, ReadOnlySpan<byte> payload)
    {
        lock (_sendGate)
        {
            if (_disposed || !HasPacketNumbers(1))
            {
                return;
            }
            var header = new MediaHeader(kind, stream, _callId, _nextPacket++, 0, 0, 0, 1, MediaFlags.None, 0);
            var packet = new byte[MediaHeader.Size + payload.Length + MediaHeader.TagSize];
            _seal.Seal(header, payload, packet);
            Transmit(packet);
        }
    }

    /// <summary>
    /// Whether <paramref name="count"/> more packet numbers are left before the counter would wrap
    /// (and a nonce be used twice); when not, the keys are used up for good. Under the send gate.
    /// </summary>
    private bool HasPacketNumbers(int count)
    {
        if (_nextPacket != UsedUp && (ulong)_nextPacket + (ulong)count - 1 <= uint.MaxValue)
        {
            return true;
        }
        _nextPacket = UsedUp;
        return false;
    }

    /// <summary>
    /// The sending key has sealed its last packet number (2^32 - 1 of them: at 5,000 packets a
    /// second, ten days of call). Nothing more is sent, since the next number would repeat a nonce;
    /// the call's owner ends the call (<see cref="KeysUsedUpReason"/>), and a new call has new keys.
    /// </summary>
    public bool KeysUsedUp
    {
        get
        {
            lock (_sendGate)
            {
                return _nextPacket == UsedUp;
            }
        }
    }

    /// <summary>For tests: the next packet numbers sealed start at <paramref name="next"/> (near the end, without sending 2^32 packets).</summary>
    internal void StartPacketNumbersAt(uint next)
    {
        lock (_sendGate)
        {
            _nextPacket = next;
        }
    }

    private void Transmit(byte[] packet)
    {
        if (_send(packet))
        {
            Stats.CountSent();
        }
    }

    public void Dispose()
    {
        // The same order as a packet that carries a NACK takes them: receive, then send.
        lock (_receiveGate)
        {
            lock (_sendGate)
            {
                if (_disposed)
                {
                    return;
                }
                _disposed = true;
            }
        }
        _seal.Dispose();
        _open.Dispose();
    }
}
