using Parley.Core.Protocol;

namespace Parley.Core.Calls;

public sealed partial class MediaSession
{
    /// <summary>Tells the peer what arrived (see <see cref="ReceiverReport"/>).</summary>
    private void SendReport()
    {
        long lost, received;
        lock (_receiveGate)
        {
            (lost, received) = (_missedSinceReport, _receivedSinceReport);
            (_missedSinceReport, _receivedSinceReport) = (0, 0);
        }
        var nowMicros = NowMicros;
        var (echo, delay) = _peerReport is { } peer ? (peer.SentAt, (uint)(nowMicros - peer.ReceivedMicros)) : (0u, 0u);
        var report = new ReceiverReport(Math.Max(1, (uint)nowMicros), echo, delay, // never 0, which means "no echo"
            (byte)(lost + received == 0 ? 0 : Math.Min(255, 255 * lost / (lost + received))),
            (uint)Math.Min(uint.MaxValue, _jitterMs * 1000), (uint)Math.Min(uint.MaxValue, Stats.Lost));
        SendControl(PacketKind.Report, StreamKind.Audio, report.ToArray());
    }

    private void OnReport(in ReceiverReport report)
    {
        var now = NowMicros;
        _peerReport = (report.SentAt, now);
        if (report.Echo != 0)
        {
            var rtt = (uint)now - report.Echo - report.EchoDelay;
            if (rtt < 60_000_000)
            {
                RoundTrip = TimeSpan.FromMicroseconds(rtt);
            }
        }
        AdjustBitrate(report.FractionLost / 255.0);
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
            _listener.OnBitrateChanged(clamped);
        }
    }
}
