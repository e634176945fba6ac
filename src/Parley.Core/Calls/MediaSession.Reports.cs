using System.Buffers.Binary;

namespace Parley.Core.Calls;

public sealed partial class MediaSession
{
    private const int ReportSize = 21;

    /// <summary>
    /// Receiver report: sent-at µs u32 | echo of the peer's last sent-at u32 (0: none yet) | µs
    /// since that report arrived u32 | fraction lost since the last report (x/255) u8 | jitter µs u32 |
    /// packets lost in all u32. The fraction counts gaps as they are seen, before any resend fills
    /// them (the path's loss, which steers the bitrate); the echo and its delay give the peer the round trip.
    /// Times are in microseconds (wrapping every 71 minutes; unsigned subtraction absorbs the wrap), so
    /// the round trip is not off by the few milliseconds that rounding three millisecond times would cost.
    /// </summary>
    private void SendReport()
    {
        Span<byte> payload = stackalloc byte[ReportSize];
        long lost, received;
        lock (_receiveGate)
        {
            (lost, received) = (_missedSinceReport, _receivedSinceReport);
            (_missedSinceReport, _receivedSinceReport) = (0, 0);
        }
        var nowMicros = NowMicros;
        BinaryPrimitives.WriteUInt32BigEndian(payload, Math.Max(1, (uint)nowMicros)); // never 0, which means "no echo"
        if (_peerReport is { } peer)
        {
            BinaryPrimitives.WriteUInt32BigEndian(payload[4..], peer.SentAt);
            BinaryPrimitives.WriteUInt32BigEndian(payload[8..], (uint)(nowMicros - peer.ReceivedMicros));
        }
        payload[12] = (byte)(lost + received == 0 ? 0 : Math.Min(255, 255 * lost / (lost + received)));
        BinaryPrimitives.WriteUInt32BigEndian(payload[13..], (uint)Math.Min(uint.MaxValue, _jitterMs * 1000));
        BinaryPrimitives.WriteUInt32BigEndian(payload[17..], (uint)Math.Min(uint.MaxValue, Stats.Lost));
        SendControl(PacketKind.Report, StreamKind.Audio, payload);
    }

    private void OnReport(ReadOnlySpan<byte> payload)
    {
        if (payload.Length != ReportSize)
        {
            Stats.CountMalformed();
            return;
        }
        var now = NowMicros;
        _peerReport = (BinaryPrimitives.ReadUInt32BigEndian(payload), now);
        var echo = BinaryPrimitives.ReadUInt32BigEndian(payload[4..]);
        var delay = BinaryPrimitives.ReadUInt32BigEndian(payload[8..]);
        if (echo != 0)
        {
            var rtt = (uint)now - echo - delay;
            if (rtt < 60_000_000)
            {
                RoundTrip = TimeSpan.FromMicroseconds(rtt);
            }
        }
        AdjustBitrate(payload[12] / 255.0);
    }

    /// <summary>
    /// Loss-based control (in the manner of WebRTC's loss controller): above 10 % loss cut by half
    /// the loss; under 2 % grow 5 % a report (about 20 % a second); in between hold.
    /// </summary>
    private void AdjustBitrate(double loss)
    {
        var current = TargetBitrate;
        var next = loss > 0.10 ? current * (1 - 0.5 * loss) : loss < 0.02 ? current * 1.05 : current;
        var clamped = (int)Math.Clamp(next, MinBitrate, MaxBitrate);
        if (clamped == current)
        {
            return;
        }
        Volatile.Write(ref _targetBitrate, clamped);
        if (Math.Abs(clamped - current) >= current / 20)
        {
            BitrateChanged?.Invoke(clamped);
        }
    }
}
