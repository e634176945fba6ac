using System.Buffers;
using Parley.Core.Calls;
using Parley.Core.Protocol;
using Parley.Node.Links;

namespace Parley.Node.Calls;

public sealed partial class CallService
{
    /// <summary>Frames of types 0x60–0x6F from an open session (only contacts get this far).</summary>
    public ValueTask OnFrameAsync(PeerSession session, Frame frame)
    {
        switch (frame.Type)
        {
            case FrameType.CallInvite:
                OnInvite(session, CallSignal.DecodeInvite(frame.Payload));
                break;
            case FrameType.CallAnswer:
                OnAnswer(session, CallSignal.DecodeAnswer(frame.Payload));
                break;
            case FrameType.CallMedia:
                var packet = frame.Payload.ToArray();
                // Media over the link (no UDP path): the same sealed packets, checked the same way.
                if (MediaHeader.TryReadCallId(packet, out var callId) && _calls.TryGetValue(callId, out var carried) && carried.Peer == session.Id
                    && carried.State == CallState.Active)
                {
                    carried.OverLink = true;
                    carried.Session?.OnPacket(packet);
                }
                break;
            case FrameType.CallEnd:
                var (id, reason) = CallSignal.DecodeEnd(frame.Payload);
                if (_calls.TryGetValue(id, out var call) && call.Peer == session.Id)
                {
                    End(call, reason.Length == 0 ? "the other side hung up" : reason, byPeer: true);
                }
                break;
            default:
                throw new ProtocolException($"unexpected {frame.Type} frame");
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// A ring. One ringing call per peer (a repeat is collapsed into it), one new ring per peer
    /// every <see cref="RingInterval"/>, and none while this node is in another call ("busy").
    /// </summary>
    private void OnInvite(PeerSession session, CallInvite invite)
    {
        var peer = session.Id;
        var now = _time.GetUtcNow();
        string? refusal = null;
        if (_calls.Values.Any(c => c.Peer == peer && c.State == CallState.Ringing && !c.Outgoing)
            || (_calls.TryGetValue(invite.CallId, out var known) && known.Peer == peer))
        {
            return; // collapsed: the ring already showing (or this very call, sent again on a new link) stands for it
        }
        if (_lastRing.TryGetValue(peer, out var last) && now - last < RingInterval)
        {
            refusal = "ringing too often; try again in a few seconds";
        }
        else if (_calls.Values.Any(c => c.State != CallState.Ended))
        {
            refusal = "busy in another call";
        }
        else if (_calls.ContainsKey(invite.CallId))
        {
            refusal = "that call ID is taken";
        }
        _lastRing[peer] = now;
        if (refusal is not null)
        {
            session.Link.TrySend(FrameType.CallAnswer, CallSignal.Encode(new CallAnswer(invite.CallId, false, VideoCodecs.None, 0, refusal)));
            return;
        }
        var name = _contacts.Find(peer)?.DisplayName ?? session.Link.RemoteHello.Name;
        var call = new Call(invite.CallId, peer, name, outgoing: false, invite.Media, invite.Codecs, invite.Secret, now)
        {
            PeerMedia = MediaEndPoint(session.Link, invite.UdpPort),
        };
        _calls[call.Id] = call;
        Wake();
        Publish("call.incoming", call);
    }

    private void OnAnswer(PeerSession session, CallAnswer answer)
    {
        if (!_calls.TryGetValue(answer.CallId, out var call) || call.Peer != session.Id || !call.Outgoing || call.State != CallState.Ringing)
        {
            return; // an answer to a call already ended here (hung up while it crossed)
        }
        if (!answer.Accepted)
        {
            End(call, answer.Reason.Length == 0 ? "declined" : answer.Reason, byPeer: true);
            return;
        }
        call.Codecs = answer.Codec;
        call.PeerMedia = MediaEndPoint(session.Link, answer.UdpPort);
        Start(call);
    }

    /// <summary>
    /// A new link to the peer (the first one was replaced, say, by a duplicate dialed at the same
    /// moment): a ring still unanswered, or our answer, is sent again, since the old link may have
    /// taken it down with it.
    /// </summary>
    public Task OnSessionOpenedAsync(PeerSession session)
    {
        foreach (var call in _calls.Values.Where(c => c.Peer == session.Id && c.State != CallState.Ended))
        {
            if (call.Outgoing && call.State == CallState.Ringing)
            {
                session.Link.TrySend(FrameType.CallInvite, CallSignal.Encode(new CallInvite(call.Id, call.Media, call.Codecs, MediaPort, call.Secret)));
            }
            else if (!call.Outgoing && call.State == CallState.Active)
            {
                // Our answer may have gone down with the old link; the caller ignores it if it already has it.
                session.Link.TrySend(FrameType.CallAnswer, CallSignal.Encode(new CallAnswer(call.Id, true, call.Codecs, MediaPort, "")));
            }
        }
        return Task.CompletedTask;
    }

    /// <summary>The peer's link is gone: its calls end (the other side sees the same from its end).</summary>
    public void OnPeerOffline(Core.Identity.DeviceId peer, string reason)
    {
        foreach (var call in _calls.Values.Where(c => c.Peer == peer && c.State != CallState.Ended))
        {
            End(call, "the link to the peer closed: " + reason, byPeer: true);
        }
    }
}
