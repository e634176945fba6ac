using System.Net;
using System.Threading.Channels;
using Parley.Core.Calls;
using Parley.Core.Identity;

namespace Parley.Node.Calls;

public enum CallState
{
    /// <summary>Placed, waiting for the callee to answer.</summary>
    Ringing,
    Active,
    Ended,
}

/// <summary>One 1:1 call, from either side. Media flows only while <see cref="CallState.Active"/>.</summary>
public sealed class Call(uint id, DeviceId peer, string peerName, bool outgoing, CallMedia media, VideoCodecs codecs, byte[] secret, DateTimeOffset created)
{
    private readonly Lock _gate = new();
    private readonly List<Channel<object>> _listeners = [];

    public uint Id => id;
    public DeviceId Peer => peer;
    public string PeerName => peerName;
    public bool Outgoing => outgoing;
    public CallMedia Media => media;

    /// <summary>Codecs offered (the caller's) or chosen (once answered).</summary>
    public VideoCodecs Codecs { get; set; } = codecs;

    public byte[] Secret => secret;
    public DateTimeOffset Created => created;
    public CallState State { get; set; }
    public DateTimeOffset? AnsweredAt { get; set; }
    public string? EndReason { get; set; }
    public bool EndedByPeer { get; set; }
    public MediaSession? Session { get; set; }
    public IPEndPoint? PeerMedia { get; set; }

    /// <summary>Media goes over the TLS link instead of UDP: the peer has no UDP, or none of ours arrived.</summary>
    public bool OverLink { get; set; }

    /// <summary>Frames and notices for the page(s) in this call: each gets its own bounded queue; a slow page loses the oldest.</summary>
    public ChannelReader<object> Listen()
    {
        var channel = Channel.CreateBounded<object>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_gate)
        {
            _listeners.Add(channel);
        }
        return channel.Reader;
    }

    /// <summary>Stops a page's queue; returns how many pages still listen.</summary>
    public int StopListening(ChannelReader<object> reader)
    {
        lock (_gate)
        {
            _listeners.RemoveAll(c => c.Reader == reader);
            return _listeners.Count;
        }
    }

    /// <summary>Hands a frame or notice to every listening page.</summary>
    public void Tell(object item)
    {
        lock (_gate)
        {
            foreach (var listener in _listeners)
            {
                listener.Writer.TryWrite(item);
            }
        }
    }

    /// <summary>Ends every page's stream (after the last notice).</summary>
    public void CloseListeners()
    {
        lock (_gate)
        {
            foreach (var listener in _listeners)
            {
                listener.Writer.TryComplete();
            }
            _listeners.Clear();
        }
    }

    public object ToJson() => new
    {
        id = id.ToString("x8"),
        peer = peer.ToString(),
        peerName,
        outgoing,
        video = media.HasFlag(CallMedia.Video),
        state = State.ToString().ToLowerInvariant(),
        codec = Codecs.ToString().ToLowerInvariant(),
        transport = OverLink ? "link" : "udp",
        created,
        answeredAt = AnsweredAt,
        endReason = EndReason,
        endedByPeer = EndedByPeer,
        stats = Session is { } s ? new
        {
            sent = s.Stats.PacketsSent,
            received = s.Stats.PacketsReceived,
            framesSent = s.Stats.FramesSent,
            framesReceived = s.Stats.FramesReceived,
            lost = s.Stats.Lost,
            retransmitted = s.Stats.Retransmitted,
            dropped = s.Stats.Malformed + s.Stats.Forged + s.Stats.Replayed + s.Stats.TooOld,
            rttMs = s.RoundTrip?.TotalMilliseconds,
            jitterMs = s.JitterMs,
            bitrate = s.TargetBitrate,
        } : null,
    };
}
