using Parley.Core.Calls;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Links;

namespace Parley.Node.Calls;

/// <summary>The signalling this node sends: rings, answers and hang-ups, each on the peer's TLS link (control queue).</summary>
internal sealed class CallSignals(IPeerSessions sessions, CallMediaPaths paths)
{
    public void Invite(IPeerLink link, Call call) =>
        link.TrySend(FrameType.CallInvite, new CallInvite(call.Id, call.Media, call.Codecs, paths.AnnouncedPort, call.Engines, call.Secret).ToArray());

    /// <summary>Yes, with the codec and engine chosen (in <see cref="Call.Codecs"/>, <see cref="Call.Engines"/>) and our UDP port.</summary>
    public void Accept(IPeerLink link, Call call) =>
        link.TrySend(FrameType.CallAnswer, new CallAnswer(call.Id, true, call.Codecs, paths.AnnouncedPort, call.Engines, "").ToArray());

    /// <summary>The local page's session description, for the peer's page (a call on <see cref="CallEngines.WebRtc"/>).</summary>
    public bool PageSignal(Call call, PageSignalKind kind, string sdp) =>
        sessions.Session(call.Peer) is { } session && session.Link.TrySend(FrameType.CallPageSignal, new CallPageSignal(call.Id, kind, sdp).ToArray());

    /// <summary>No, with the reason (declined, busy, ringing too often).</summary>
    public void Refuse(IPeerLink link, uint callId, string reason) => link.TrySend(FrameType.CallAnswer, CallAnswer.No(callId, reason).ToArray());

    /// <summary>Declines a ring, if the peer is still linked (if not, its side ends the call anyway).</summary>
    public void Refuse(Call call, string reason)
    {
        if (sessions.Session(call.Peer) is { } session)
        {
            Refuse(session.Link, call.Id, reason);
        }
    }

    /// <summary>Hangs up, if the peer is still linked.</summary>
    public void End(Call call, string reason) => sessions.Session(call.Peer)?.Link.TrySend(FrameType.CallEnd, new CallEnd(call.Id, reason).ToArray());
}
