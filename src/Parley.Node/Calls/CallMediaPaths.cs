using System.Net;
using Parley.Core.Calls;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Core.Traversal;
using Parley.Node.Events;
using Parley.Node.Links;

namespace Parley.Node.Calls;

/// <summary>
/// Which way a call's media goes: UDP through the <see cref="IMediaSocket"/> when both sides have
/// it, else the peer's TLS link (CallMedia frames); and the move to the link when no UDP packet
/// arrives within <see cref="UdpGrace"/> (a firewall or NAT in the way).
/// </summary>
internal sealed class CallMediaPaths(IMediaSocket socket, IPeerSessions sessions, CallPunching punching, NodeOptions options, EventHub events, TimeProvider time)
{
    /// <summary>How long an active call may go without a single UDP packet from the peer before media moves to the link.</summary>
    public static readonly TimeSpan UdpGrace = TimeSpan.FromSeconds(2);

    /// <summary>The UDP port announced in invites and answers; 0 says "no UDP here, use the link".</summary>
    public ushort AnnouncedPort => options.MediaOverUdp ? (ushort)socket.Port : (ushort)0;

    /// <summary>Where the peer's media socket is: the address its link comes from, the UDP port it named.</summary>
    public static IPEndPoint PeerEndPoint(IPeerLink link, ushort port)
    {
        var address = link.RemoteEndPoint.Address;
        return new IPEndPoint(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address, port);
    }

    /// <summary>
    /// Chooses the path as media starts: the link when either side has no UDP; the link at first when
    /// the link is relayed (its far end is the hub, not the peer: no datagram goes there), while a
    /// direct UDP path is punched (<see cref="CallPunching"/>); otherwise the socket routes the call's
    /// datagrams to and from the peer's link address.
    /// </summary>
    public void Open(Call call, MediaSession media, Action flooding)
    {
        // A punched link comes through the peer's NAT like a relayed one comes through the hub: its far end takes no datagrams unasked.
        var relayed = sessions.Session(call.Peer)?.Link.Path is LinkPath.Relayed or LinkPath.Punched;
        call.OverLink = !options.MediaOverUdp || call.PeerMedia is not { Port: > 0 } || relayed;
        if (!call.OverLink)
        {
            socket.Register(call.Id, media, call.PeerMedia!, flooding);
        }
        else if (relayed && options.MediaOverUdp)
        {
            call.PeerMedia = null;
            call.Probing = true; // from now on the checks choose the path: media still in flight on the link must not undo one
            socket.Register(call.Id, media, null, flooding, heard => punching.Heard(call, heard, null));
            punching.Begin(call);
        }
    }

    /// <summary>
    /// The call is active: checks start (if the peer has named its addresses by now; else when it does).
    /// Not in <see cref="Open"/>: checks run only while the call is active, and one started before that
    /// stopped at once yet kept the call marked as probing — that side never sent a check, and behind a
    /// NAT that drops unsolicited datagrams the call stayed on the link (the NAT matrix's flake).
    /// </summary>
    public void Started(Call call) => punching.TryProbe(call);

    public void Close(Call call)
    {
        socket.Unregister(call.Id);
        _ = CallRelaying.EndAsync(call);
    }

    /// <summary>
    /// One sealed packet to the peer: by UDP, or over the link when UDP is not used. Over the link,
    /// video that finds the bulk queue full is dropped, not queued (late video is worse than none);
    /// audio and control packets go ahead of bulk data, so video degrades first and audio not at all.
    /// </summary>
    public bool Send(Call call, ReadOnlyMemory<byte> packet)
    {
        if (!call.OverLink && call.PeerMedia is { } to)
        {
            return call.Relay is { } relay ? SendThrough(relay, to, packet) : socket.Send(to, packet);
        }
        var link = sessions.Session(call.Peer)?.Link;
        return MediaHeader.IsBulk(packet.Span)
            ? link?.TrySendBulk(FrameType.CallMedia, packet.ToArray()) == true
            : link?.TrySend(FrameType.CallMedia, packet.ToArray()) == true;
    }

    /// <summary>One datagram to <paramref name="peer"/> through <paramref name="relay"/>; media is loss-tolerant, so a failure is only observed.</summary>
    public static bool SendThrough(IMediaRelay relay, IPEndPoint peer, ReadOnlyMemory<byte> packet)
    {
        try
        {
            var sending = relay.SendAsync(peer, packet, CancellationToken.None);
            if (!sending.IsCompletedSuccessfully)
            {
                _ = ObserveAsync(sending);
            }
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }
    }

    private static async Task ObserveAsync(ValueTask sending)
    {
        try
        {
            await sending.ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // a lost datagram; silence on the path moves the call on
        }
    }

    /// <summary>
    /// A packet that came over the link: the peer has no UDP path to us, so ours goes that way too —
    /// unless the path is being punched: then the peer sends on the link until its own check gets
    /// through, and a packet still on its way must not undo the path we found.
    /// </summary>
    public static void ArrivedOverLink(Call call, in MediaPacket packet)
    {
        if (!call.Probing)
        {
            call.OverLink = true;
        }
        _ = call.Session?.OnPacket(packet);
    }

    /// <summary>
    /// No UDP packet from the peer in <see cref="UdpGrace"/>: carry media over the link, and say so. A
    /// call whose path was chosen by checks drops a path that has gone silent that long (the NAT
    /// forgot its mapping, the relay went away, UDP was cut) and checks again for the next one.
    /// </summary>
    public void FallBackIfUdpSilent(Call call)
    {
        if (call.Probing)
        {
            if (!call.OverLink && time.GetElapsedTime(call.LastHeardUdp) > UdpGrace)
            {
                punching.Drop(call);
            }
            return;
        }
        if (call.OverLink || call.Probing || call.Session is not { } media || media.Stats.PacketsReceived > 0 || call.AnsweredAt is not { } answered
            || time.GetUtcNow() - answered < UdpGrace)
        {
            return;
        }
        call.OverLink = true;
        socket.Unregister(call.Id);
        call.Tell(CallNotice.MovedToLink());
        events.Publish(CallsEvents.Transport, CallInfo.Of(call));
    }
}
