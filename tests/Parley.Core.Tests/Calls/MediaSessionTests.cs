using System.Security.Cryptography;
using Parley.Core.Calls;

namespace Parley.Core.Tests.Calls;

/// <summary>Two media sessions joined by a simulated datagram path: loss, delay, outage, replays and forgeries, on a manual clock.</summary>
public sealed class MediaSessionTests
{
    private const uint CallId = 0x5EED;

    /// <summary>What one side hears: the callee's frames by stream; the caller's keyframe requests.</summary>
    private sealed class Heard : IMediaSessionListener
    {
        public List<MediaFrame> Video { get; } = [];
        public List<MediaFrame> Audio { get; } = [];
        public bool KeyframeWanted { get; set; }

        public void OnFrame(MediaFrame frame) => (frame.Stream == StreamKind.Audio ? Audio : Video).Add(frame);

        public void OnKeyframeRequested(StreamKind stream) => KeyframeWanted = true;

        public void OnBitrateChanged(int bitsPerSecond)
        {
        }
    }

    /// <summary>A one-way delay and a loss rate, both directions; packets are delivered by <see cref="Run"/> as the clock moves.</summary>
    private sealed class Path
    {
        private readonly ManualTimeProvider _clock = new();
        private readonly Random _random = new(7);
        private readonly List<(long Due, byte[] Packet, bool ToCallee)> _inFlight = [];
        private long _now;

        public Path(int delayMs, double loss)
        {
            DelayMs = delayMs;
            Loss = loss;
            var secret = RandomNumberGenerator.GetBytes(MediaCrypto.SecretSize);
            Caller = new MediaSession(CallId, secret, isCaller: true, p => Carry(p, toCallee: true), CallerHeard, _clock);
            Callee = new MediaSession(CallId, secret, isCaller: false, p => Carry(p, toCallee: false), CalleeHeard, _clock);
        }

        public MediaSession Caller { get; }
        public MediaSession Callee { get; }
        public Heard CallerHeard { get; } = new();
        public Heard CalleeHeard { get; } = new();
        public List<MediaFrame> VideoIn => CalleeHeard.Video;
        public List<MediaFrame> AudioIn => CalleeHeard.Audio;
        public int DelayMs { get; set; }
        public double Loss { get; set; }
        public bool Down { get; set; }
        public List<byte[]> Captured { get; } = [];
        public int VideoSent { get; set; }

        private bool Carry(ReadOnlyMemory<byte> packet, bool toCallee)
        {
            var bytes = packet.ToArray();
            if (toCallee)
            {
                Captured.Add(bytes);
            }
            if (!Down && _random.NextDouble() >= Loss)
            {
                _inFlight.Add((_now + DelayMs, bytes, toCallee));
            }
            return true;
        }

        /// <summary>Moves the clock a millisecond at a time, delivering what is due and ticking both sides every 5 ms.</summary>
        public void Run(int ms, Action<long>? eachMs = null)
        {
            for (var i = 0; i < ms; i++)
            {
                _now++;
                _clock.Advance(TimeSpan.FromMilliseconds(1));
                eachMs?.Invoke(_now);
                foreach (var due in _inFlight.Where(p => p.Due <= _now).ToList())
                {
                    _inFlight.Remove(due);
                    (due.ToCallee ? Callee : Caller).OnPacket(due.Packet);
                }
                if (_now % 5 == 0)
                {
                    Caller.Tick();
                    Callee.Tick();
                }
            }
        }
    }

    private static byte[] FrameBytes(int number, int size)
    {
        var bytes = new byte[size];
        new Random(number).NextBytes(bytes);
        return bytes;
    }

    /// <summary>30 video frames a second (a keyframe first, then only when asked) and 50 audio frames a second, for <paramref name="ms"/>.</summary>
    private static void Stream(Path path, int ms, int videoBytes = 6000)
    {
        var videoFrame = (int)path.Caller.Stats.FramesSent == 0 ? 0 : path.VideoSent;
        path.CallerHeard.KeyframeWanted = videoFrame == 0;
        path.Run(ms, now =>
        {
            if (now % 33 == 0)
            {
                var key = path.CallerHeard.KeyframeWanted;
                path.CallerHeard.KeyframeWanted = false;
                path.Caller.SendFrame(StreamKind.Video, (uint)(now * 90), key, 1, FrameBytes(videoFrame++, key ? videoBytes * 4 : videoBytes));
                path.VideoSent = videoFrame;
            }
            if (now % 20 == 0)
            {
                path.Caller.SendFrame(StreamKind.Audio, (uint)(now * 48), false, 2, FrameBytes(-(int)now, 120));
            }
        });
    }

    [Fact]
    public void On_a_clean_path_every_frame_arrives_whole_and_in_order()
    {
        var path = new Path(delayMs: 20, loss: 0);
        Stream(path, 3000);
        path.Run(200);
        Assert.Equal(path.Caller.Stats.FramesSent, path.Callee.Stats.FramesReceived);
        Assert.Equal(Enumerable.Range(0, path.VideoIn.Count), path.VideoIn.Select(f => (int)f.Number));
        Assert.All(path.VideoIn, f => Assert.Equal(FrameBytes(f.Number, f.Keyframe ? 24_000 : 6000), f.Data));
        Assert.Single(path.VideoIn, f => f.Keyframe);
        Assert.Equal(150, path.AudioIn.Count);
        Assert.Equal(0, path.Callee.Stats.Lost);
        // Exactly the path's 40 ms: the report's own time at the peer is taken out, and nothing is lost to rounding.
        Assert.InRange(path.Caller.RoundTrip!.Value.TotalMilliseconds, 40, 40.01);
        Assert.True(path.Caller.TargetBitrate > 1_500_000, $"bitrate {path.Caller.TargetBitrate} after 3 s without loss");
    }

    /// <summary>At 2 % loss the bar: 95 % of frames shown. At 10 %, video keeps playing: 90 %.</summary>
    [Theory]
    [InlineData(0.02, 0.95)]
    [InlineData(0.10, 0.90)]
    public void Under_loss_resends_recover_video_and_audio_is_never_resent(double loss, double shownAtLeast)
    {
        var path = new Path(delayMs: 20, loss: loss);
        Stream(path, 10_000);
        path.Run(1500);
        var sent = (int)path.Caller.Stats.FramesSent - 500; // audio frames: 50 a second
        var shown = path.VideoIn.Count;
        var c = path.Callee.Stats;
        Assert.True(shown >= shownAtLeast * sent, $"{shown} of {sent} video frames shown at {loss:P0} loss; resent {path.Caller.Stats.Retransmitted}, lost {c.Lost}, nacks {c.NacksSent}, keyframe requests {c.KeyframeRequests}, rtt {path.Callee.RoundTrip}");
        Assert.True(path.Caller.Stats.Retransmitted > 0);
        // Audio is not kept for resending: audio frames lost stay lost (about the loss rate).
        Assert.InRange(path.AudioIn.Count, 500 * (1 - 3 * loss) - 5, 500);
        Assert.True(path.VideoIn.Zip(path.VideoIn.Skip(1)).All(p => (short)(p.Second.Number - p.First.Number) > 0), "video frames out of order");
    }

    [Fact]
    public void After_an_outage_video_comes_back_with_a_keyframe_within_a_second()
    {
        var path = new Path(delayMs: 20, loss: 0);
        Stream(path, 2000);
        var before = path.VideoIn.Count;
        path.Down = true;
        Stream(path, 2000);
        Assert.Equal(before, path.VideoIn.Count);
        path.Down = false;
        var keyframesAsked = path.Callee.Stats.KeyframeRequests;
        var backAt = path.VideoIn.Count;
        Stream(path, 1000);
        Assert.True(path.Callee.Stats.KeyframeRequests > keyframesAsked, $"no keyframe was asked for: {keyframesAsked} before, frames {before} then {path.VideoIn.Count}, lost {path.Callee.Stats.Lost}");
        var resumed = path.VideoIn.Skip(backAt).ToList();
        Assert.True(resumed.Count >= 20, $"only {resumed.Count} frames in the second after the outage");
        Assert.True(resumed[0].Keyframe, "video resumed on a delta frame");
    }

    [Fact]
    public void Heavy_loss_lowers_the_bitrate_and_a_clean_path_raises_it()
    {
        var path = new Path(delayMs: 20, loss: 0.3);
        Stream(path, 3000);
        var lowered = path.Caller.TargetBitrate;
        Assert.True(lowered < 1_000_000, $"bitrate {lowered} at 30 % loss");
        path.Loss = 0;
        Stream(path, 3000);
        Assert.True(path.Caller.TargetBitrate > lowered);
    }

    [Fact]
    public void Replayed_forged_foreign_and_malformed_packets_are_dropped_and_counted()
    {
        var path = new Path(delayMs: 1, loss: 0);
        Stream(path, 500);
        var received = path.Callee.Stats.FramesReceived;
        foreach (var packet in path.Captured.Take(50))
        {
            path.Callee.OnPacket(packet);
        }
        Assert.Equal(50, path.Callee.Stats.Replayed + path.Callee.Stats.TooOld);
        var forged = path.Captured[^1].ToArray();
        forged[^1] ^= 1;
        forged[6..10].AsSpan().Fill(0x7F); // a fresh packet number, so it is not a replay
        path.Callee.OnPacket(forged);
        Assert.Equal(1, path.Callee.Stats.Forged);
        var foreign = path.Captured[0].ToArray();
        foreign[2] ^= 0xFF; // another call's ID
        path.Callee.OnPacket(foreign);
        path.Callee.OnPacket(new byte[10]);
        path.Callee.OnPacket(new byte[1500]);
        Assert.Equal(3, path.Callee.Stats.Malformed);
        Assert.Equal(received, path.Callee.Stats.FramesReceived);
    }
}
