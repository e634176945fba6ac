using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Parley.Core.Calls;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Node.Contacts;
using Parley.Node.Storage;
using Parley.Node.Events;
using Parley.Node.Links;

namespace Parley.Node.Calls;

/// <summary>A call request that cannot be carried out; the message says why.</summary>
public sealed class CallException(string message, int status = 400) : RequestRefusedException(message, status);

/// <summary>
/// 1:1 calls: signalling over the peer's TLS link (CallInvite with a fresh call secret, CallAnswer,
/// CallEnd with a reason), media over UDP through <see cref="MediaSocket"/> and a
/// <see cref="MediaSession"/> per call. A call is never answered by itself: the callee's user
/// accepts or declines. Rings from one peer are collapsed (one at a time) and limited to one
/// every few seconds; only contacts reach this service at all. Hanging up, the peer going
/// offline or the node stopping ends the call on both sides with the reason.
/// </summary>
public sealed partial class CallService : IAsyncDisposable
{
    public static readonly TimeSpan RingTimeout = TimeSpan.FromSeconds(45);
    public static readonly TimeSpan RingInterval = TimeSpan.FromSeconds(3);
    private const int KeptEnded = 50;
    private readonly ContactBook _contacts;
    private readonly LinkManager _links;
    private readonly EventHub _events;
    private readonly MediaSocket _socket;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<uint, Call> _calls = new();
    private readonly ConcurrentDictionary<DeviceId, DateTimeOffset> _lastRing = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _ticking;
    private readonly SemaphoreSlim _callStarted = new(0, 1);
    private readonly bool _udp;

    /// <summary>How long an active call may go without a single UDP packet from the peer before media moves to the link.</summary>
    public static readonly TimeSpan UdpGrace = TimeSpan.FromSeconds(2);

    /// <summary>The UDP port announced in invites and answers; 0 says "no UDP here, use the link".</summary>
    private ushort MediaPort => _udp ? (ushort)_socket.Port : (ushort)0;

    public CallService(ContactBook contacts, LinkManager links, EventHub events, MediaSocket socket, bool udp, TimeProvider time, ILoggerFactory loggerFactory)
    {
        _udp = udp;
        _contacts = contacts;
        _links = links;
        _events = events;
        _socket = socket;
        _time = time;
        _logger = loggerFactory.CreateLogger("Parley.Calls");
        _ticking = Task.Run(TickAsync);
    }

    public IReadOnlyList<Call> All => [.. _calls.Values.OrderByDescending(c => c.Created)];

    public MediaSocket Socket => _socket;

    public Call Find(string id) =>
        uint.TryParse(id, System.Globalization.NumberStyles.HexNumber, null, out var number) && _calls.TryGetValue(number, out var call)
            ? call
            : throw new CallException($"no call '{id}'", 404);

    /// <summary>Rings a contact. Returns at once; the answer arrives as a <c>call.answered</c> or <c>call.ended</c> event.</summary>
    public Call Place(DeviceId peer, bool video, VideoCodecs codecs)
    {
        if (_contacts.Find(peer) is not { State: PeerState.Contact } contact)
        {
            throw new CallException("only contacts can be called");
        }
        var session = _links.Session(peer) is { IsOpen: true } open ? open : throw new CallException($"{contact.DisplayName} is not online", 503);
        if (_calls.Values.Any(c => c.State != CallState.Ended))
        {
            throw new CallException("already in a call; hang up first", 409);
        }
        var id = NewId();
        var media = CallMedia.Audio | (video ? CallMedia.Video : 0);
        var call = new Call(id, peer, contact.DisplayName, outgoing: true, media, codecs == VideoCodecs.None ? VideoCodecs.Vp8 : codecs,
            RandomNumberGenerator.GetBytes(MediaCrypto.SecretSize), _time.GetUtcNow());
        _calls[id] = call;
        Wake();
        session.Link.TrySend(FrameType.CallInvite, CallSignal.Encode(new CallInvite(id, media, call.Codecs, MediaPort, call.Secret)));
        Publish("call.ringing", call);
        return call;
    }

    /// <summary>
    /// The callee's user accepts: media starts on both sides. The video codec is the first of the
    /// callee page's <paramref name="preference"/> that the caller offered; VP8 when there is none.
    /// </summary>
    public Call Accept(Call call, params IReadOnlyList<VideoCodecs> preference)
    {
        if (call.Outgoing || call.State != CallState.Ringing)
        {
            throw new CallException("only a ringing incoming call can be accepted", 409);
        }
        var link = LinkOf(call);
        call.Codecs = preference.FirstOrDefault(codec => codec != VideoCodecs.None && call.Codecs.HasFlag(codec), VideoCodecs.Vp8);
        link.TrySend(FrameType.CallAnswer, CallSignal.Encode(new CallAnswer(call.Id, true, call.Codecs, MediaPort, "")));
        Start(call);
        return call;
    }

    public Call Decline(Call call, string reason = "declined")
    {
        if (call.Outgoing || call.State != CallState.Ringing)
        {
            throw new CallException("only a ringing incoming call can be declined", 409);
        }
        _links.Session(call.Peer)?.Link.TrySend(FrameType.CallAnswer, CallSignal.Encode(new CallAnswer(call.Id, false, VideoCodecs.None, 0, reason)));
        End(call, reason, byPeer: false);
        return call;
    }

    /// <summary>Hangs up (or cancels a ringing call): the peer is told why, media stops at once.</summary>
    public Call Hangup(Call call, string reason = "hung up")
    {
        if (call.State != CallState.Ended)
        {
            _links.Session(call.Peer)?.Link.TrySend(FrameType.CallEnd, CallSignal.EncodeEnd(call.Id, reason));
            End(call, reason, byPeer: false);
        }
        return call;
    }

    /// <summary>A frame from the local page, sent to the peer when the call is up.</summary>
    public void SendFromPage(Call call, StreamKind stream, bool keyframe, byte codec, uint timestamp, ReadOnlySpan<byte> data)
    {
        if (call.State == CallState.Active && call.Session is { } media)
        {
            media.SendFrame(stream, timestamp, keyframe, codec, data);
        }
    }

    private void Start(Call call)
    {
        call.OverLink = !_udp || call.PeerMedia is not { Port: > 0 };
        var media = new MediaSession(call.Id, call.Secret, call.Outgoing, packet => SendMedia(call, packet), _time)
        {
            FrameReceived = frame => call.Tell(frame),
            KeyframeRequested = stream => call.Tell(new { type = "keyframe", stream = stream.ToString().ToLowerInvariant() }),
            BitrateChanged = bps => call.Tell(new { type = "bitrate", bps }),
        };
        call.Session = media;
        call.State = CallState.Active;
        call.AnsweredAt = _time.GetUtcNow();
        if (!call.OverLink)
        {
            _socket.Register(call.Id, media, call.PeerMedia!, () => Hangup(call, "the peer flooded the media path"));
        }
        Publish("call.answered", call);
    }

    /// <summary>
    /// One sealed packet to the peer: by UDP, or over the link when UDP is not used. Over the link a
    /// packet that finds the bulk queue full is dropped, not queued: late media is worse than none.
    /// </summary>
    private bool SendMedia(Call call, ReadOnlyMemory<byte> packet)
    {
        if (!call.OverLink)
        {
            return call.PeerMedia is { } to && _socket.Send(to, packet);
        }
        return _links.Session(call.Peer)?.Link.TrySendBulk(FrameType.CallMedia, packet.ToArray()) == true;
    }

    /// <summary>No UDP packet from the peer in <see cref="UdpGrace"/>: a firewall or NAT in the way; carry media over the link.</summary>
    private void FallBackIfUdpSilent(Call call)
    {
        if (call.OverLink || call.Session is not { } media || media.Stats.PacketsReceived > 0 || call.AnsweredAt is not { } answered
            || _time.GetUtcNow() - answered < UdpGrace)
        {
            return;
        }
        call.OverLink = true;
        _socket.Unregister(call.Id);
        call.Tell(new { type = "transport", transport = "link" });
        Publish("call.transport", call);
    }

    private void End(Call call, string reason, bool byPeer)
    {
        lock (call)
        {
            if (call.State == CallState.Ended)
            {
                return;
            }
            call.State = CallState.Ended;
        }
        call.EndReason = reason;
        call.EndedByPeer = byPeer;
        _socket.Unregister(call.Id);
        call.Tell(new { type = "ended", reason, byPeer });
        call.CloseListeners();
        call.Session?.Dispose();
        CallLog.Ended(_logger, call.Id, call.PeerName, reason);
        Publish("call.ended", call);
        ForgetOldCalls();
    }

    /// <summary>Ended calls are kept for the list (the last <see cref="KeptEnded"/>), not for ever: the media clock walks them all.</summary>
    private void ForgetOldCalls()
    {
        foreach (var old in _calls.Values.Where(c => c.State == CallState.Ended).OrderByDescending(c => c.Created).Skip(KeptEnded))
        {
            _calls.TryRemove(old.Id, out _);
        }
    }

    private Core.Links.IPeerLink LinkOf(Call call) =>
        _links.Session(call.Peer) is { IsOpen: true } session ? session.Link : throw new CallException($"{call.PeerName} is not online", 503);

    /// <summary>Where the peer's media socket is: the address its link comes from, the UDP port it named.</summary>
    private static IPEndPoint MediaEndPoint(Core.Links.IPeerLink link, ushort port)
    {
        var address = link.RemoteEndPoint.Address;
        return new IPEndPoint(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address, port);
    }

    private uint NewId()
    {
        uint id;
        do
        {
            id = BitConverter.ToUInt32(RandomNumberGenerator.GetBytes(4));
        }
        while (id == 0 || _calls.ContainsKey(id));
        return id;
    }

    private void Publish(string type, Call call) => _events.Publish(type, call.ToJson());

    /// <summary>
    /// Every 5 ms while a call rings or runs: each active call's media clock (NACKs, reports, late
    /// frames); unanswered rings time out. With no live call it sleeps until one starts (an idle node
    /// does not wake 200 times a second).
    /// </summary>
    private async Task TickAsync()
    {
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                if (!_calls.Values.Any(c => c.State != CallState.Ended))
                {
                    await _callStarted.WaitAsync(_stopping.Token).ConfigureAwait(false);
                    continue;
                }
                await Task.Delay(TimeSpan.FromMilliseconds(5), _time, _stopping.Token).ConfigureAwait(false);
                foreach (var call in _calls.Values)
                {
                    if (call.State == CallState.Active)
                    {
                        call.Session?.Tick();
                        FallBackIfUdpSilent(call);
                    }
                    else if (call.State == CallState.Ringing && _time.GetUtcNow() - call.Created > RingTimeout)
                    {
                        if (call.Outgoing)
                        {
                            Hangup(call, "no answer");
                        }
                        else
                        {
                            End(call, "missed", byPeer: false);
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Wakes the clock: a call was placed or rang.</summary>
    private void Wake()
    {
        if (_callStarted.CurrentCount == 0)
        {
            _callStarted.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var call in _calls.Values)
        {
            Hangup(call, "shutting down");
        }
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _ticking.ConfigureAwait(false);
        await _socket.DisposeAsync().ConfigureAwait(false);
    }
}
