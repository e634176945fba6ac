using System.Net;
using System.Threading.Channels;
using Parley.Core.Calls;
using Parley.Core.Identity;
using Parley.Core.Traversal;

namespace Parley.Node.Calls;

/// <summary>One 1:1 call, from either side. Media flows only while <see cref="CallState.Active"/>.</summary>
internal sealed class Call(uint id, DeviceId peer, string peerName, bool outgoing, CallMedia media, VideoCodecs codecs, byte[] secret, DateTimeOffset created)
    : IMediaSessionListener
{
    private readonly Lock _gate = new();
    private readonly List<Channel<object>> _listeners = [];
    private readonly List<CallNotice> _pageSignals = [];
    private bool _closed;

    public uint Id => id;
    public DeviceId Peer => peer;
    public string PeerName => peerName;
    public bool Outgoing => outgoing;
    public CallMedia Media => media;

    /// <summary>Codecs offered (the caller's) or chosen (once answered).</summary>
    public VideoCodecs Codecs { get; set; } = codecs;

    /// <summary>Media engines offered (the caller's) or the one chosen (once answered): see <see cref="CallEngines"/>.</summary>
    public CallEngines Engines { get; set; } = CallEngines.WebCodecs;

    /// <summary>The local page's TURN credentials for this call (<see cref="CallEngines.WebRtc"/>): only the page, told through the API, has them.</summary>
    public PageTurnCredentials Turn { get; } = PageTurnCredentials.New(id, outgoing);

    /// <summary>The node's page TURN server (<c>turn:127.0.0.1:port?transport=udp</c>), or null when it has none.</summary>
    public string? TurnUrl { get; set; }

    /// <summary>Where the local page's WebRTC engine hands its datagrams (set by the page TURN socket when the page allocates).</summary>
    public Action<byte[]>? ToPageEngine { get; set; }

    public byte[] Secret => secret;
    public DateTimeOffset Created => created;
    public CallState State { get; set; }
    public DateTimeOffset? AnsweredAt { get; set; }
    public string? EndReason { get; set; }
    public bool EndedByPeer { get; set; }
    public MediaSession? Session { get; set; }
    public IPEndPoint? PeerMedia { get; set; }

    /// <summary>Media goes over the TLS link instead of UDP: the peer has no UDP, or none of ours arrived, or the path is still being punched.</summary>
    public bool OverLink { get; set; }

    /// <summary>Where the peer said it can be reached for media (a relayed call punches towards these); null until it says.</summary>
    public IReadOnlyList<IPEndPoint>? PeerCandidates { get; set; }

    /// <summary>The call's path is chosen by connectivity checks (its link is relayed); set once, as media starts.</summary>
    public bool Probing { get; set; }

    /// <summary>Checks are being sent now (until a direct path is found; again after the path went silent).</summary>
    public bool Checking { get; set; }

    /// <summary>The peer's relayed addresses (hub UDP relay, TURN), checked like its other candidates.</summary>
    public IReadOnlyList<RelayCandidate> PeerRelays { get; set; } = [];

    /// <summary>Our own relays for this call, disposed when it ends.</summary>
    public List<IMediaRelay> Relays { get; } = [];

    /// <summary>The relay our media goes out through, or null for the media socket.</summary>
    public IMediaRelay? Relay { get; set; }

    /// <summary>The UDP path when media is not on the link: "udp" (direct), "hub-udp" or "turn".</summary>
    public string UdpPath { get; set; } = CallPaths.Direct;

    /// <summary>"udp", "hub-udp", "turn" or "link": what the API and the terminal call show.</summary>
    public string Path => OverLink ? CallPaths.Link : UdpPath;

    /// <summary>When the last authentic datagram came on the current UDP path (a timestamp of the node's time provider).</summary>
    public long LastHeardUdp { get; set; }

    /// <summary>A frame from the local page, sent to the peer when the call is up (dropped before and after).</summary>
    public void SendFromPage(in PageFrame frame)
    {
        if (State == CallState.Active && Session is { } media)
        {
            media.SendFrame(frame.Stream, frame.Timestamp, frame.Keyframe, frame.Codec, frame.Data.Span);
        }
    }

    /// <summary>
    /// Frames (<see cref="MediaFrame"/>) and notices (<see cref="CallNotice"/>) for the page(s) in this call:
    /// each gets its own bounded queue; a slow page loses the oldest. After the call ended the queue is
    /// already complete, so a page that comes late is let go at once instead of waiting for nothing.
    /// </summary>
    public ChannelReader<object> Listen()
    {
        var channel = Channel.CreateBounded<object>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (_gate)
        {
            if (_closed)
            {
                channel.Writer.TryComplete();
            }
            else
            {
                foreach (var signal in _pageSignals)
                {
                    channel.Writer.TryWrite(signal);
                }
                _listeners.Add(channel);
            }
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

    // What the call's media session hears goes to the pages: the frame itself, or a notice for the encoder.
    void IMediaSessionListener.OnFrame(MediaFrame frame) => Tell(frame);

    void IMediaSessionListener.OnKeyframeRequested(StreamKind stream) => Tell(CallNotice.Keyframe(stream));

    void IMediaSessionListener.OnBitrateChanged(int bitsPerSecond) => Tell(CallNotice.Bitrate(bitsPerSecond));

    void IMediaSessionListener.OnTunnel(byte[] datagram) => ToPageEngine?.Invoke(datagram);

    /// <summary>
    /// The peer page's session description, for this node's page(s): kept, so a page that opens its
    /// media channel after it arrived still gets it (first thing on its channel). Only the latest of
    /// each kind is kept: the peer may send any number (32 KiB each), and a late page needs only that.
    /// </summary>
    public void TellPageSignal(CallNotice signal)
    {
        lock (_gate)
        {
            _pageSignals.RemoveAll(kept => kept.Kind == signal.Kind);
            _pageSignals.Add(signal);
            foreach (var listener in _listeners)
            {
                listener.Writer.TryWrite(signal);
            }
        }
    }

    /// <summary>Ends every page's stream (after the last notice), and any stream asked for later.</summary>
    public void CloseListeners()
    {
        lock (_gate)
        {
            _closed = true;
            foreach (var listener in _listeners)
            {
                listener.Writer.TryComplete();
            }
            _listeners.Clear();
        }
    }
}
