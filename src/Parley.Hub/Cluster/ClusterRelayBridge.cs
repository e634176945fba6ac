using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using Parley.Core.Hub.Cluster;
using Parley.Core.Hub.Relay;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Hub;

/// <summary>
/// Relays between members on different hubs of a cluster. The asking hub opens a session as for two
/// members of its own and asks the target's hub, on that hub's NATS subject, to carry the other half;
/// the target's hub dials the asking hub with the session's invited token, opens its own session with
/// that connection as the asking side, and hands the target the invited ticket. The bytes then go node
/// → hub → hub → node over TCP (never through NATS), still TLS between the two nodes end to end.
/// </summary>
internal sealed class ClusterRelayBridge : IRelayBridge, IAsyncDisposable
{
    /// <summary>Asks served at once; past it the asker hears the hub is busy, so a flood costs a bounded number of dials.</summary>
    private const int MaxInFlight = 64;
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan DialTimeout = TimeSpan.FromSeconds(2);

    private readonly NatsCluster _cluster;
    private readonly ClusterPresenceShare _presence;
    private readonly Func<IReadOnlyList<IPEndPoint>> _ownEndpoints;
    private readonly RelaySwitch _relay;
    private readonly IHubMembers _members;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _serving;
    private int _inFlight;

    public ClusterRelayBridge(NatsCluster cluster, ClusterPresenceShare presence, Func<IReadOnlyList<IPEndPoint>> ownEndpoints,
        RelaySwitch relay, IHubMembers members, ILogger logger)
    {
        _cluster = cluster;
        _presence = presence;
        _ownEndpoints = ownEndpoints;
        _relay = relay;
        _members = members;
        _logger = logger;
        _serving = Task.Run(ServeAsync);
    }

    private static string Subject(ulong instance) => $"parley.relay.{instance:x16}";

    public bool Reaches(DeviceId target) => _presence.HubOf(target) is not null;

    public async Task<string?> BridgeAsync(DeviceId asker, DeviceId target, byte[] invitedToken)
    {
        var endpoints = _ownEndpoints().Take(Invite.MaxAddresses).Select(e => e.ToString()).ToList();
        if (_presence.HubOf(target) is not { } hub || endpoints.Count == 0)
        {
            return $"{target.Short} is not online at this hub";
        }
        try
        {
            var reply = await _cluster.Connection.RequestAsync<byte[], byte[]>(Subject(hub), new ClusterRelayAsk(asker, target, invitedToken, endpoints).ToArray(),
                replyOpts: new NatsSubOpts { Timeout = AskTimeout }, cancellationToken: _stopping.Token).ConfigureAwait(false);
            if (!WireMessage.TryRead<ClusterRelayAnswer>(reply.Data ?? [], out var answer, out var error))
            {
                ClusterLog.Malformed(_logger, "relay answer", target.Short, error);
                return "the hub the peer is on gave an unreadable answer";
            }
            return answer.Bridged ? null : answer.Refusal;
        }
        catch (Exception e) when (e is NatsException or TimeoutException or OperationCanceledException)
        {
            ClusterLog.Failed(_logger, "relay ask", e.GetType().Name);
            return "the hub the peer is on did not answer; try again";
        }
    }

    private async Task ServeAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await foreach (var ask in _cluster.Connection.SubscribeAsync<byte[]>(Subject(_cluster.Instance), cancellationToken: _stopping.Token).ConfigureAwait(false))
                {
                    if (Interlocked.Increment(ref _inFlight) > MaxInFlight)
                    {
                        Interlocked.Decrement(ref _inFlight);
                        await AnswerAsync(ask, "the peer's hub is busy relaying; try again").ConfigureAwait(false);
                        continue;
                    }
                    _ = CarryThenAnswerAsync(ask);
                }
            }
            catch (Exception e) when (e is NatsException or TimeoutException)
            {
                ClusterLog.Failed(_logger, "relay subscription", e.GetType().Name);
                await Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task CarryThenAnswerAsync(NatsMsg<byte[]> ask)
    {
        try
        {
            await AnswerAsync(ask, await CarryAsync(ask.Data ?? []).ConfigureAwait(false)).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>Sets up this hub's half for an ask read as untrusted bytes; "" when done, else why not.</summary>
    private async Task<string> CarryAsync(byte[] bytes)
    {
        if (!WireMessage.TryRead<ClusterRelayAsk>(bytes, out var ask, out var error))
        {
            ClusterLog.Malformed(_logger, "relay ask", "-", error);
            return "the hubs of the cluster disagree on the relay protocol";
        }
        if (!_members.TryGet(ask.Target, out var target))
        {
            return $"{ask.Target.Short} is no longer online";
        }
        if (await DialAsync(ask).ConfigureAwait(false) is not { } otherHub)
        {
            return "the hubs of the cluster cannot reach each other to relay";
        }
        if (_relay.OpenBridged(ask.Asker, otherHub, out var refusal) is not { } invited)
        {
            otherHub.Dispose();
            return refusal;
        }
        target.Send(FrameType.RelayTicket, new RelayTicket(0, Invited: true, ask.Asker, invited));
        HubLog.Relaying(_logger, ask.Asker.Short, ask.Target.Short);
        return "";
    }

    /// <summary>The asking hub at the first of its endpoints that answers, with the session's invited token sent.</summary>
    private async Task<Socket?> DialAsync(ClusterRelayAsk ask)
    {
        foreach (var text in ask.Endpoints)
        {
            var endpoint = IPEndPoint.Parse(text);
            var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
                timeout.CancelAfter(DialTimeout);
                await socket.ConnectAsync(endpoint, timeout.Token).ConfigureAwait(false);
                await socket.SendAsync((byte[])[.. RelayTicket.Preamble, .. ask.Token], SocketFlags.None, timeout.Token).ConfigureAwait(false);
                return socket;
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException)
            {
                socket.Dispose();
            }
        }
        return null;
    }

    private async Task AnswerAsync(NatsMsg<byte[]> ask, string refusal)
    {
        try
        {
            await ask.ReplyAsync(new ClusterRelayAnswer(refusal).ToArray(), cancellationToken: _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NatsException or OperationCanceledException)
        {
            ClusterLog.Failed(_logger, "relay answer", e.GetType().Name);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _serving.ConfigureAwait(false);
        _stopping.Dispose();
    }
}
