using Parley.Core.Calls;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Node.Contacts;
using Parley.Node.Links;

namespace Parley.Node.Calls;

/// <summary>
/// The call frames from peers (only contacts with an open session get this far). A ring is never
/// answered by itself: it waits for the user. Rings from one peer are collapsed (one at a time) and
/// limited to one every <see cref="RingInterval"/>; none is taken while this node is in another
/// call ("busy"). A new link re-sends what the old one may have lost; the peer going offline ends its calls.
/// </summary>
internal sealed class CallSignalling(CallBook book, CallLifecycle lifecycle, CallSignals signals, CallPunching punching, ContactBook contacts, CallHistory history,
    TimeProvider time)
    : IPeerFeature
{
    public static readonly TimeSpan RingInterval = TimeSpan.FromSeconds(3);
    private const string Busy = "busy in another call";

    public IReadOnlyList<FrameSpec> Frames => CallFrames.Specs;

    public ValueTask OnFrameAsync(PeerSession session, Frame frame)
    {
        switch (frame.Type)
        {
            case FrameType.CallInvite:
                OnInvite(session, frame.Read<CallInvite>());
                break;
            case FrameType.CallAnswer:
                OnAnswer(session, frame.Read<CallAnswer>());
                break;
            case FrameType.CallEnd:
                var end = frame.Read<CallEnd>();
                if (book.With(session.Id, end.CallId) is { } ended)
                {
                    lifecycle.End(ended, end.Reason.Length == 0 ? "the other side hung up" : end.Reason, byPeer: true);
                }
                break;
            case FrameType.CallMedia:
                // Media over the link (no UDP path): the same sealed packets, checked the same way; a malformed one is dropped like a bad datagram.
                if (MediaPacket.TryRead(frame.Payload, out var packet, out _) && book.With(session.Id, packet.Header.CallId) is { State: CallState.Active } carried)
                {
                    CallMediaPaths.ArrivedOverLink(carried, packet);
                }
                break;
            case FrameType.CallPageSignal:
                // Only for a call on the pages' WebRTC engine; the page checks the description itself (its DTLS fingerprint came over this link).
                var signal = frame.Read<CallPageSignal>();
                if (book.With(session.Id, signal.CallId) is { State: CallState.Active, Engines: CallEngines.WebRtc } paged)
                {
                    paged.TellPageSignal(CallNotice.Signal(signal.Kind, signal.Sdp));
                }
                break;
            case FrameType.CallCandidates:
                var candidates = frame.Read<CallCandidates>();
                if (book.With(session.Id, candidates.CallId) is { State: not CallState.Ended } named)
                {
                    punching.OnCandidates(named, candidates);
                }
                break;
            case FrameType.CallRelayCandidates:
                var relays = frame.Read<CallRelayCandidates>();
                if (book.With(session.Id, relays.CallId) is { State: not CallState.Ended } relayed)
                {
                    punching.OnRelayCandidates(relayed, relays);
                }
                break;
            default:
                throw new ProtocolException($"unexpected {frame.Type} frame");
        }
        return ValueTask.CompletedTask;
    }

    private void OnInvite(PeerSession session, CallInvite invite)
    {
        var peer = session.Id;
        if (book.LiveWith(peer).Any(c => c.State == CallState.Ringing && !c.Outgoing) || book.With(peer, invite.CallId) is not null)
        {
            return; // collapsed: the ring already showing (or this very call, sent again on a new link) stands for it
        }
        var now = time.GetUtcNow();
        var refusal = book.RangWithin(peer, now, RingInterval) ? "ringing too often; try again in a few seconds"
            : book.AnyLive ? Busy
            : book.Contains(invite.CallId) ? "that call ID is taken"
            : null;
        if (refusal is not null)
        {
            signals.Refuse(session.Link, invite.CallId, refusal);
            if (refusal == Busy)
            {
                history.MissedWhileBusy(peer, invite.Media, now); // at most one per RingInterval: RangWithin refuses the rest first
            }
            return;
        }
        var name = contacts.Find(peer)?.DisplayName ?? session.Link.RemoteHello.Name;
        var call = new Call(invite.CallId, peer, name, outgoing: false, invite.Media, invite.Codecs, invite.Secret, now)
        {
            PeerMedia = CallMediaPaths.PeerEndPoint(session.Link, invite.UdpPort),
            Engines = invite.Engines,
        };
        book.Add(call);
        lifecycle.Publish(CallsEvents.Incoming, call);
    }

    private void OnAnswer(PeerSession session, CallAnswer answer)
    {
        if (book.With(session.Id, answer.CallId) is not { Outgoing: true, State: CallState.Ringing } call)
        {
            return; // an answer to a call already ended here (hung up while it crossed), or to none at all
        }
        if (!answer.Accepted)
        {
            lifecycle.End(call, answer.Reason.Length == 0 ? "declined" : answer.Reason, byPeer: true);
            return;
        }
        call.Codecs = answer.Codec;
        call.Engines = answer.Engine == CallEngines.WebRtc && call.Engines.HasFlag(CallEngines.WebRtc) ? CallEngines.WebRtc : CallEngines.WebCodecs;
        call.PeerMedia = CallMediaPaths.PeerEndPoint(session.Link, answer.UdpPort);
        lifecycle.Start(call);
    }

    /// <summary>
    /// A new link to the peer (the first one was replaced, say, by a duplicate dialed at the same
    /// moment): a ring still unanswered, or our answer, is sent again, since the old link may have
    /// taken it down with it. The other side ignores what it already has.
    /// </summary>
    public Task OnSessionOpenedAsync(PeerSession session)
    {
        foreach (var call in book.LiveWith(session.Id))
        {
            if (call.Outgoing && call.State == CallState.Ringing)
            {
                signals.Invite(session.Link, call);
            }
            else if (!call.Outgoing && call.State == CallState.Active)
            {
                signals.Accept(session.Link, call);
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>A live call holds the link: its signalling, and its media when UDP does not pass, are bound to it.</summary>
    public bool HoldsLink(DeviceId peer) => book.LiveWith(peer).Any();

    /// <summary>The peer's link is gone: its calls end (the other side sees the same from its end).</summary>
    public void OnSessionClosed(DeviceId peer, string reason)
    {
        foreach (var call in book.LiveWith(peer).ToList())
        {
            lifecycle.End(call, "the link to the peer closed: " + reason, byPeer: true);
        }
    }
}
