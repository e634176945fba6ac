using System.Net;
using Parley.Core.Calls;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Core.Traversal;
using Parley.Node.Events;
using Parley.Node.Hub;
using Parley.Node.Links;

namespace Parley.Node.Calls;

/// <summary>
/// The UDP path of a call whose link goes through the hub, chosen by connectivity checks as ICE does
/// (RFC 8445), best first: direct UDP (punched) → relayed UDP (the hub's UDP relay, then TURN) → the
/// TLS link. Each side tells the other where it can be reached (its LAN addresses, the public address
/// the hub's STUN answer shows, then its relays' addresses), and sends checks sealed with the call's
/// key to every one of them for a few seconds, from its media socket and through each of its relays.
/// Every authentic datagram names a path; a direct one always wins, a relayed one is taken only while
/// media is on the link, and checks go on until a direct path is found. Until any is, and when none
/// ever is (UDP blocked), media rides the link. A path that goes silent for
/// <see cref="CallMediaPaths.UdpGrace"/> is dropped for the link and checks resume (<see cref="Drop"/>).
/// </summary>
internal sealed class CallPunching(IMediaSocket socket, IHubChannel hub, IPeerSessions sessions, CallRelaying relaying, EventHub events, TimeProvider time,
    Traversal.IMediaPortMapper? portMapping = null)
{
    /// <summary>How often checks go to each of the peer's addresses. 100 ms.</summary>
    public static readonly TimeSpan ProbeEvery = TimeSpan.FromMilliseconds(100);

    /// <summary>How long checks are sent every <see cref="ProbeEvery"/>; then once a second while the call lasts (a NAT may open late). 8 s.</summary>
    public static readonly TimeSpan ProbeFor = TimeSpan.FromSeconds(8);

    /// <summary>How often checks go out after <see cref="ProbeFor"/>. 1 s.</summary>
    public static readonly TimeSpan ProbeLaterEvery = TimeSpan.FromSeconds(1);

    /// <summary>How long the hub has to say where it sees our media socket (asked four times in it). 2 s.</summary>
    public static readonly TimeSpan StunTimeout = TimeSpan.FromSeconds(2);

    /// <summary>Media started on a relayed link: say where we can be reached (directly, then through relays), and check the peer's addresses once it says.</summary>
    public void Begin(Call call)
    {
        _ = SendCandidatesAsync(call);
        _ = relaying.BeginAsync(call, Heard);
    }

    private async Task SendCandidatesAsync(Call call)
    {
        var ours = LocalAddresses.IPv4(socket.Port, withLoopback: false).Where(a => !IPAddress.IsLoopback(a.Address)).ToList();
        if (hub.Connected && HubAddress() is { } server && await socket.LearnPublicAsync(server, StunTimeout).ConfigureAwait(false) is { } mapped
            && !ours.Contains(mapped))
        {
            ours.Insert(0, mapped);
        }
        using (var mapping = new CancellationTokenSource(StunTimeout))
        {
            // A port the router forwards reaches us whatever the peer's NAT does: first.
            if (portMapping is not null && await portMapping.MapUdpAsync(socket.Port, mapping.Token).ConfigureAwait(false) is { } forwarded)
            {
                ours.Remove(forwarded);
                ours.Insert(0, forwarded);
            }
        }
        sessions.Session(call.Peer)?.Link.TrySend(FrameType.CallCandidates, new CallCandidates(call.Id, [.. ours.Take(CallCandidates.MaxAddresses)]).ToArray());
    }

    private IPEndPoint? HubAddress()
    {
        try
        {
            var endpoint = hub.RequireLink().RemoteEndPoint;
            return new IPEndPoint(endpoint.Address.IsIPv4MappedToIPv6 ? endpoint.Address.MapToIPv4() : endpoint.Address, endpoint.Port);
        }
        catch (HubUnavailableException)
        {
            return null;
        }
    }

    /// <summary>The peer said where it can be reached.</summary>
    public void OnCandidates(Call call, CallCandidates candidates)
    {
        call.PeerCandidates = candidates.Addresses;
        _ = relaying.PermitPeerAsync(call);
        TryProbe(call);
    }

    /// <summary>The peer said where its relays are.</summary>
    public void OnRelayCandidates(Call call, CallRelayCandidates relays)
    {
        call.PeerRelays = relays.Relays;
        _ = relaying.PermitPeerAsync(call);
        TryProbe(call);
    }

    /// <summary>Media is open (so checks can be sealed): check the peer's addresses if it has named them and no direct path is known.</summary>
    public void TryProbe(Call call)
    {
        lock (call)
        {
            if (call.State != CallState.Active || call.Session is null || (call.PeerCandidates is null && call.PeerRelays.Count == 0) || call.Checking || !NeedsChecks(call))
            {
                return;
            }
            call.Checking = true;
        }
        _ = ProbeAsync(call);
    }

    private static bool NeedsChecks(Call call) => call.State != CallState.Ended && (call.OverLink || call.UdpPath != CallPaths.Direct);

    private async Task ProbeAsync(Call call)
    {
        var fast = time.GetUtcNow() + ProbeFor;
        try
        {
            while (call.State == CallState.Active && NeedsChecks(call))
            {
                SendChecks(call);
                // Once on a relay, checks for a direct path slow down: each one that finds no way through counts as a lost packet at the peer.
                await Task.Delay(call.OverLink && time.GetUtcNow() < fast ? ProbeEvery : ProbeLaterEvery, time).ConfigureAwait(false);
            }
        }
        finally
        {
            lock (call)
            {
                call.Checking = false;
            }
        }
        TryProbe(call); // the path went silent just as the checks stopped
    }

    /// <summary>One round: from the media socket to every address and relay of the peer, and through each of our relays to its addresses (and relays, from TURN).</summary>
    private void SendChecks(Call call)
    {
        var direct = call.PeerCandidates ?? [];
        foreach (var address in direct.Concat(call.PeerRelays.Select(r => r.Address)))
        {
            if (call.Session?.SealProbe() is { } probe)
            {
                socket.Send(address, probe);
            }
        }
        foreach (var relay in CallRelaying.Snapshot(call))
        {
            // A TURN relay also checks the peer's relays: between two symmetric NATs, relay to relay is
            // the one path (the hub's relay never sends to the hub itself, so it checks only addresses).
            var targets = relay.Kind == CallPaths.Turn ? direct.Concat(call.PeerRelays.Select(r => r.Address)) : direct;
            foreach (var address in targets)
            {
                if (call.Session?.SealProbe() is { } probe)
                {
                    CallMediaPaths.SendThrough(relay, address, probe);
                }
            }
        }
    }

    /// <summary>
    /// A datagram sealed with the call's key came from <paramref name="peer"/> (through our relay
    /// <paramref name="via"/>, if not null). It keeps the current path alive if it came that way; it
    /// moves media to its own path if that path is direct and ours is not, or if media is on the link.
    /// </summary>
    public void Heard(Call call, IPEndPoint peer, IMediaRelay? via)
    {
        var kind = via?.Kind ?? call.PeerRelays.FirstOrDefault(r => r.Address.Equals(peer))?.Kind ?? CallPaths.Direct;
        lock (call)
        {
            if (call.State != CallState.Active)
            {
                return;
            }
            var onThisPath = via == call.Relay && peer.Equals(call.PeerMedia);
            if (!call.OverLink && (onThisPath || kind != CallPaths.Direct || call.UdpPath == CallPaths.Direct))
            {
                if (onThisPath)
                {
                    call.LastHeardUdp = time.GetTimestamp();
                }
                return;
            }
            call.PeerMedia = peer;
            call.Relay = via;
            call.UdpPath = kind;
            call.OverLink = false;
            call.LastHeardUdp = time.GetTimestamp();
        }
        call.Tell(CallNotice.MovedToUdp(kind));
        events.Publish(CallsEvents.Transport, CallInfo.Of(call));
    }

    /// <summary>Nothing authentic came on the UDP path for a while: media goes back to the link and checks resume, to find the next path that works.</summary>
    public void Drop(Call call)
    {
        lock (call)
        {
            if (call.OverLink)
            {
                return;
            }
            call.OverLink = true;
            call.Relay = null;
            call.PeerMedia = null;
            call.UdpPath = CallPaths.Direct;
        }
        call.Tell(CallNotice.MovedToLink());
        events.Publish(CallsEvents.Transport, CallInfo.Of(call));
        TryProbe(call);
    }
}
