using System.Security.Cryptography;
using Parley.Core.Calls;
using Parley.Core.Identity;
using Parley.Node.Contacts;
using Parley.Node.Links;
using Parley.Node.Storage;

namespace Parley.Node.Calls;

/// <summary>
/// 1:1 calls as the user drives them (the API and the page's media channel): ring a contact,
/// accept or decline a ring, hang up. Signalling rides the peer's TLS link
/// (<see cref="CallSignals"/>; what comes back: <see cref="CallSignalling"/>), media a
/// <see cref="MediaSession"/> per call over UDP or the link (<see cref="CallMediaPaths"/>). Stopping
/// the node hangs up every call, so both sides end it with the reason.
/// </summary>
internal sealed class CallService(CallBook book, CallLifecycle lifecycle, CallSignals signals, ContactBook contacts, IPeerSessions sessions,
    MediaSocket socket, TimeProvider time) : INodeService
{
    /// <summary>Newest first, the last 50 ended ones included.</summary>
    public IReadOnlyList<Call> All => book.All;

    /// <summary>The UDP socket, for its counters.</summary>
    public MediaSocket Socket => socket;

    public Call Find(string id) => book.Find(id);

    /// <summary>Rings a contact. Returns at once; the answer arrives as a <c>call.answered</c> or <c>call.ended</c> event.</summary>
    public Call Place(DeviceId peer, bool video, VideoCodecs codecs, CallEngines engines = CallEngines.WebCodecs)
    {
        if (contacts.Find(peer) is not { State: PeerState.Contact } contact)
        {
            throw new CallException("only contacts can be called");
        }
        var session = sessions.Session(peer) is { IsOpen: true } open ? open : throw new CallException($"{contact.DisplayName} is not online", 503);
        if (book.AnyLive)
        {
            throw new CallException("already in a call; hang up first", 409);
        }
        var media = CallMedia.Audio | (video ? CallMedia.Video : 0);
        var call = new Call(book.NewId(), peer, contact.DisplayName, outgoing: true, media, codecs == VideoCodecs.None ? VideoCodecs.Vp8 : codecs,
            RandomNumberGenerator.GetBytes(MediaCrypto.SecretSize), time.GetUtcNow())
        {
            Engines = engines | CallEngines.WebCodecs,
        };
        book.Add(call);
        signals.Invite(session.Link, call);
        lifecycle.Publish(CallsEvents.Ringing, call);
        return call;
    }

    /// <summary>
    /// The callee's user accepts: media starts on both sides. The video codec is the first of the
    /// callee page's <paramref name="preference"/> that the caller offered; VP8 when there is none. The
    /// engine is the pages' WebRTC when both pages can run it (<paramref name="engines"/> is the callee page's), WebCodecs otherwise.
    /// </summary>
    public Call Accept(Call call, params IReadOnlyList<VideoCodecs> preference) => Accept(call, preference, CallEngines.WebCodecs);

    /// <inheritdoc cref="Accept(Call, IReadOnlyList{VideoCodecs})"/>
    public Call Accept(Call call, IReadOnlyList<VideoCodecs> preference, CallEngines engines)
    {
        RequireRingingIncoming(call, "accepted");
        var link = sessions.Session(call.Peer) is { IsOpen: true } session ? session.Link : throw new CallException($"{call.PeerName} is not online", 503);
        call.Codecs = preference.FirstOrDefault(codec => codec != VideoCodecs.None && call.Codecs.HasFlag(codec), VideoCodecs.Vp8);
        call.Engines = engines.HasFlag(CallEngines.WebRtc) && call.Engines.HasFlag(CallEngines.WebRtc) ? CallEngines.WebRtc : CallEngines.WebCodecs;
        signals.Accept(link, call);
        lifecycle.Start(call);
        return call;
    }

    public Call Decline(Call call, string reason = "declined")
    {
        RequireRingingIncoming(call, "declined");
        signals.Refuse(call, reason);
        lifecycle.End(call, reason, byPeer: false);
        return call;
    }

    /// <summary>Hangs up (or cancels a ringing call): the peer is told why, media stops at once.</summary>
    /// <summary>The local page's session description, for the peer's page; false when the call is not on WebRTC or the peer is gone.</summary>
    public bool SendPageSignal(Call call, PageSignalKind kind, string sdp) =>
        call is { State: CallState.Active, Engines: CallEngines.WebRtc } && System.Text.Encoding.UTF8.GetByteCount(sdp) <= CallPageSignal.MaxSdpBytes && signals.PageSignal(call, kind, sdp);

    public Call Hangup(Call call, string reason = "hung up")
    {
        lifecycle.Hangup(call, reason);
        return call;
    }

    private static void RequireRingingIncoming(Call call, string what)
    {
        if (call.Outgoing || call.State != CallState.Ringing)
        {
            throw new CallException($"only a ringing incoming call can be {what}", 409);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync()
    {
        foreach (var call in book.Unordered)
        {
            lifecycle.Hangup(call, "shutting down");
        }
        return Task.CompletedTask;
    }
}
