using System.Net;
using Parley.Core.Calls;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Events;
using Parley.Node.Hub;
using Parley.Node.Links;

namespace Parley.Node.Calls;

/// <summary>
/// A direct UDP path for a call whose link goes through the hub: each side tells the other where it
/// can be reached (its LAN addresses and the public address the hub's STUN answer shows its media
/// socket at), then both send connectivity checks sealed with the call's key to every address of the
/// other for a few seconds. Outgoing checks open each side's NAT towards the other; the first check
/// (or media packet) that arrives sealed with the call's key sets the path, and media moves from the
/// link to UDP. Until then, and if none ever arrives (symmetric NATs, UDP blocked), media rides the link.
/// </summary>
internal sealed class CallPunching(IMediaSocket socket, IHubChannel hub, IPeerSessions sessions, EventHub events, TimeProvider time,
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

    /// <summary>Media started on a relayed link: say where we can be reached, and check the peer's addresses once it says.</summary>
    public void Begin(Call call) => _ = SendCandidatesAsync(call);

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
        TryProbe(call);
    }

    /// <summary>Media is open (so checks can be sealed): check the peer's addresses if it has named them.</summary>
    public void TryProbe(Call call)
    {
        lock (call)
        {
            if (call.State != CallState.Active || call.Session is null || call.PeerCandidates is null || call.Probing || !call.OverLink)
            {
                return;
            }
            call.Probing = true;
        }
        _ = ProbeAsync(call);
    }

    private async Task ProbeAsync(Call call)
    {
        var fast = time.GetUtcNow() + ProbeFor;
        while (call.State == CallState.Active && call.OverLink)
        {
            foreach (var address in call.PeerCandidates!)
            {
                if (call.Session?.SealProbe() is { } probe)
                {
                    socket.Send(address, probe);
                }
            }
            await Task.Delay(time.GetUtcNow() < fast ? ProbeEvery : ProbeLaterEvery, time).ConfigureAwait(false);
        }
    }

    /// <summary>A datagram sealed with the call's key came from <paramref name="peer"/>: media goes there by UDP from now on.</summary>
    public void Found(Call call, IPEndPoint peer)
    {
        call.PeerMedia = peer;
        call.OverLink = false;
        call.Tell(CallNotice.MovedToUdp());
        events.Publish(CallsEvents.Transport, CallInfo.Of(call));
    }
}
