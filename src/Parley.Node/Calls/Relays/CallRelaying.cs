using System.Net;
using Parley.Core.Calls;
using Parley.Core.Protocol;
using Parley.Core.Traversal;
using Parley.Node.Links;

namespace Parley.Node.Calls;

/// <summary>
/// A call's relay candidates: one relay from each <see cref="IMediaRelayFactory"/> (the hub's UDP relay
/// first, then any TURN servers), announced to the peer in a <see cref="CallRelayCandidates"/> frame,
/// each permitting every address the peer named, and each read by a loop that hands the peer's
/// authentic packets to the call. The relays die with the call.
/// </summary>
internal sealed class CallRelaying(IEnumerable<IMediaRelayFactory> factories, IPeerSessions sessions)
{
    /// <summary>How long each factory has to produce a relay. 3 s.</summary>
    public static readonly TimeSpan AllocateTimeout = TimeSpan.FromSeconds(3);

    private readonly IReadOnlyList<IMediaRelayFactory> _factories = [.. factories];

    /// <summary>Gets the call's relays, tells the peer where they are, and reads them; <paramref name="heard"/> is told of each authentic packet.</summary>
    public async Task BeginAsync(Call call, Action<Call, IPEndPoint, IMediaRelay> heard)
    {
        using var timeout = new CancellationTokenSource(AllocateTimeout);
        var relays = await Task.WhenAll(_factories.Take(CallRelayCandidates.MaxRelays).Select(f => f.TryCreateAsync(timeout.Token))).ConfigureAwait(false);
        var mine = new List<IMediaRelay>();
        foreach (var relay in relays.OfType<IMediaRelay>())
        {
            lock (call)
            {
                if (call.State != CallState.Ended)
                {
                    call.Relays.Add(relay);
                    mine.Add(relay);
                    continue;
                }
            }
            await relay.DisposeAsync().ConfigureAwait(false); // the call ended while we asked
        }
        if (mine.Count == 0)
        {
            return;
        }
        sessions.Session(call.Peer)?.Link.TrySend(FrameType.CallRelayCandidates,
            new CallRelayCandidates(call.Id, [.. mine.Select(r => new RelayCandidate(r.Kind, r.RelayedAddress))]).ToArray());
        foreach (var relay in mine)
        {
            await PermitPeerAsync(call, relay).ConfigureAwait(false);
            _ = ReadAsync(call, relay, heard);
        }
    }

    /// <summary>Every address the peer named (direct candidates and its relays) may send to us through each of our relays.</summary>
    public async Task PermitPeerAsync(Call call)
    {
        foreach (var relay in Snapshot(call))
        {
            await PermitPeerAsync(call, relay).ConfigureAwait(false);
        }
    }

    private static async Task PermitPeerAsync(Call call, IMediaRelay relay)
    {
        // Each end point, not each address: a TURN client permits end points, and the peer's relays may share an address (coturn beside the hub).
        var peers = (call.PeerCandidates ?? []).Concat(call.PeerRelays.Select(r => r.Address)).Distinct();
        foreach (var peer in peers)
        {
            try
            {
                await relay.PermitAsync(peer, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // a relay that cannot permit just finds no path
            }
        }
    }

    public static IReadOnlyList<IMediaRelay> Snapshot(Call call)
    {
        lock (call)
        {
            return [.. call.Relays];
        }
    }

    private static async Task ReadAsync(Call call, IMediaRelay relay, Action<Call, IPEndPoint, IMediaRelay> heard)
    {
        var buffer = new byte[2048];
        while (call.State != CallState.Ended)
        {
            IPEndPoint from;
            int length;
            try
            {
                (from, length) = await relay.ReceiveAsync(buffer, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                return; // disposed with the call, or broken: either way no more packets come this way
            }
            // Only packets sealed with this call's key count (the relay's own rate limit bounds how many can arrive).
            if (call.Session is { } media && MediaPacket.TryRead(new System.Buffers.ReadOnlySequence<byte>(buffer, 0, length), out var packet, out _)
                && packet.Header.CallId == call.Id && media.OnPacket(packet))
            {
                heard(call, from, relay);
            }
        }
    }

    /// <summary>The call ended: its relays go (each releases its allocation).</summary>
    public static async Task EndAsync(Call call)
    {
        List<IMediaRelay> relays;
        lock (call)
        {
            relays = [.. call.Relays];
            call.Relays.Clear();
        }
        foreach (var relay in relays)
        {
            try
            {
                await relay.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // a relay that fails to close has nothing left to give
            }
        }
    }
}
