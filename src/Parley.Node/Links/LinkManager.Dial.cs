using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Node.Storage;

namespace Parley.Node.Links;

public sealed partial class LinkManager
{
    private static readonly TimeSpan DialTick = TimeSpan.FromMilliseconds(250);

    /// <summary>Between the starts of two direct candidates in one round: a dropped SYN costs this, not the handshake timeout.</summary>
    internal static readonly TimeSpan DirectStagger = TimeSpan.FromMilliseconds(250);

    /// <summary>How long direct candidates have to themselves before the relay joins the race.</summary>
    internal static readonly TimeSpan RelayHeadStart = TimeSpan.FromMilliseconds(300);
    private const int GaveUpFailures = 1000;
    private readonly ConcurrentDictionary<DeviceId, DialState> _dial = new();

    private sealed class DialState
    {
        public int Failures;
        public DateTimeOffset NextAttempt;
        public int Dialing;
    }

    /// <summary>Dial a contact at the next tick instead of waiting out its backoff (it was just added or seen).</summary>
    public void DialSoon(DeviceId id)
    {
        var state = _dial.GetOrAdd(id, _ => new DialState());
        if (state.Failures < GaveUpFailures)
        {
            state.NextAttempt = DateTimeOffset.MinValue;
        }
    }

    /// <summary>Dial rounds to this device that failed since its last link (tests prove an attempt was made).</summary>
    internal int DialFailures(DeviceId id) => _dial.TryGetValue(id, out var state) ? Volatile.Read(ref state.Failures) : 0;

    private void ResetBackoff(DeviceId id)
    {
        var state = _dial.GetOrAdd(id, _ => new DialState());
        state.Failures = 0;
        state.NextAttempt = DateTimeOffset.MinValue;
    }

    /// <summary>The peer refused us: retry only at the longest interval, and not sooner when it is seen.</summary>
    private void BackOffFully(DeviceId id)
    {
        var state = _dial.GetOrAdd(id, _ => new DialState());
        state.Failures = GaveUpFailures;
        state.NextAttempt = _options.TimeProvider.GetUtcNow() + _options.MaxReconnectDelay;
    }

    private async Task DialLoopAsync()
    {
        using var timer = new PeriodicTimer(DialTick, _options.TimeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                var now = _options.TimeProvider.GetUtcNow();
                foreach (var contact in _contacts.All)
                {
                    if (contact.State != PeerState.Contact || !DeviceId.TryParse(contact.DeviceId, out var id) || Session(id) is not null
                        || (contact.Address is null && !_relay.CanRelayTo(id)))
                    {
                        continue;
                    }
                    var state = _dial.GetOrAdd(id, _ => new DialState());
                    if (now >= state.NextAttempt && Interlocked.Exchange(ref state.Dialing, 1) == 0)
                    {
                        _ = DialAsync(id, contact.Address ?? "", state);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task DialAsync(DeviceId id, string addresses, DialState state)
    {
        try
        {
            if (await RaceAsync(id, addresses, withRelay: true).ConfigureAwait(false) is { } link)
            {
                await RegisterAsync(link).ConfigureAwait(false);
                return;
            }
            state.Failures = Math.Min(state.Failures + 1, GaveUpFailures);
            state.NextAttempt = _options.TimeProvider.GetUtcNow() + Backoff(state.Failures);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            Volatile.Write(ref state.Dialing, 0);
        }
    }

    /// <summary>
    /// One dial round: every direct candidate of <paramref name="id"/> (LAN first, one more every
    /// <see cref="DirectStagger"/>) and, unless <paramref name="withRelay"/> is false, the hub's relay
    /// after <see cref="RelayHeadStart"/>, and <paramref name="also"/> if given; the first link that proves the
    /// peer wins (see <see cref="DialRace"/>).
    /// </summary>
    internal Task<PeerLink?> RaceAsync(DeviceId id, string? addresses, bool withRelay, DialAttempt? also = null)
    {
        var direct = LinkCandidates.Order(addresses, _relay.ObservedEndPoint(id));
        var attempts = direct.Select((address, i) => new DialAttempt(address, DirectStagger * i, (claim, token) => DialDirectAsync(id, address, claim, token)))
            .ToList();
        if (also is not null)
        {
            attempts.Add(also);
        }
        if (withRelay && _relay.CanRelayTo(id))
        {
            attempts.Add(new DialAttempt("relay", attempts.Count == 0 ? TimeSpan.Zero : RelayHeadStart, (claim, token) => DialRelayAsync(id, claim, token)));
        }
        return DialRace.RunAsync(attempts, _options.TimeProvider, (attempt, e) => LinkManagerLog.DialFailed(_logger, id.Short, attempt.Label, e.Message),
            _stopping.Token);
    }

    private async Task<PeerLink> DialDirectAsync(DeviceId id, string address, Func<bool> claim, CancellationToken cancellationToken)
    {
        var endpoint = await ResolveAsync(address, cancellationToken).ConfigureAwait(false);
        return await _establisher.ConnectAsync(endpoint, id, HelloFor, cancellationToken, claim).ConfigureAwait(false);
    }

    /// <summary>Through the hub's relay. TLS runs end to end over it, pinned as always.</summary>
    private async Task<PeerLink> DialRelayAsync(DeviceId id, Func<bool> claim, CancellationToken cancellationToken)
    {
        var (socket, hub) = await _relay.OpenRelayAsync(id, cancellationToken).ConfigureAwait(false);
        return await _establisher.ConnectOverAsync(socket, hub, id, HelloFor, relayed: true, cancellationToken, claim).ConfigureAwait(false);
    }

    /// <summary>
    /// Another member asked the hub at <paramref name="hub"/> for a relay to us: open our side and take the
    /// link like any incoming one. It is charged to the same handshake budget as the listener's
    /// connections, counted against the hub's address, before our side is even opened.
    /// </summary>
    public async Task AcceptRelayedAsync(IPEndPoint hub, Func<Task<Socket>> openOurSide)
    {
        if (_establisher.Gate.TryAdmit(hub.Address) is not { } ticket)
        {
            LinkManagerLog.HandshakeFailed(_logger, "relay", "refused: too many relayed links are handshaking");
            return;
        }
        Socket? socket = null;
        PeerLink link;
        try
        {
            socket = await openOurSide().ConfigureAwait(false);
            await ticket.ReadyAsync(socket, _stopping.Token).ConfigureAwait(false);
            link = await _establisher.AcceptAsync(socket, ticket, HelloFor, _stopping.Token, relayed: true).ConfigureAwait(false);
        }
        catch (Exception e) when (e is LinkFailedException or SocketException or IOException or OperationCanceledException)
        {
            socket?.Dispose();
            LinkManagerLog.HandshakeFailed(_logger, "relay", e.Message);
            return;
        }
        finally
        {
            ticket.Dispose();
        }
        await RegisterAsync(link).ConfigureAwait(false);
    }

    /// <summary>Exponential backoff from <see cref="NodeOptions.ReconnectDelay"/> up to the maximum, with jitter.</summary>
    internal TimeSpan Backoff(int failures) => Core.Links.Backoff.Delay(failures, _options.ReconnectDelay, _options.MaxReconnectDelay);

    private static async Task<IPEndPoint> ResolveAsync(string address, CancellationToken cancellationToken)
    {
        if (IPEndPoint.TryParse(address, out var endpoint) && endpoint.Port != 0)
        {
            return endpoint;
        }
        var colon = address.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(address[(colon + 1)..], out var port) || port is <= 0 or > 65535)
        {
            throw new FormatException($"'{address}' is not host:port");
        }
        var host = address[..colon];
        var ips = await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        var ip = ips.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork) ?? ips.FirstOrDefault()
            ?? throw new FormatException($"'{host}' has no address");
        return new IPEndPoint(ip, port);
    }
}
