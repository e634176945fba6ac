using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;

namespace Parley.Node.Links;

/// <summary>
/// Takes a relayed link direct through both NATs by TCP simultaneous open, coordinated over the
/// relayed link itself (libp2p's DCUtR does the same): the side with the lower device ID offers a
/// port it reserved, the other answers with its own and starts connecting at once, the offerer
/// connects on the answer. Each side aims at the address the hub observed for the other with the
/// port it named. The offerer is the TLS client; the link that forms is registered by both sides and
/// replaces the relayed one (a direct link is preferred). One attempt per peer at a time.
/// </summary>
internal sealed class LinkPunching(LinkManager links, IRelayDialer relay, NodeOptions options, ILoggerFactory loggerFactory) : IPeerFeature
{
    /// <summary>How long the two connects have to meet: a SYN dropped by the far NAT is sent again after 1 s.</summary>
    internal static readonly TimeSpan Window = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(3);
    private readonly ILogger _logger = loggerFactory.CreateLogger("Parley.Links");
    private readonly ConcurrentDictionary<DeviceId, byte> _running = new();
    private readonly ConcurrentDictionary<ulong, (DeviceId Peer, TaskCompletionSource<PunchOffer> Answer)> _asked = new();

    public IReadOnlyList<FrameSpec> Frames => PathFrames.Specs;

    /// <summary>Only a relayed link to a node that takes punch frames is punched, and only the lower device ID offers (offers never cross).</summary>
    public bool WouldOffer(IPeerLink link) =>
        link.Relayed && (link.RemoteHello.Capabilities & HelloCapabilities.Punch) != 0 && links.DeviceId.CompareTo(link.RemoteId) < 0;

    /// <summary>
    /// Offers a simultaneous open over <paramref name="session"/>'s relayed link and returns the direct
    /// link that forms (as one attempt of a <see cref="DialRace"/>, hence <paramref name="claim"/>).
    /// Throws when the peer does not answer or the connection does not form within <see cref="Window"/>.
    /// </summary>
    public async Task<PeerLink> PunchAsync(PeerSession session, Func<bool> claim, CancellationToken cancellationToken)
    {
        var peer = session.Id;
        if (!WouldOffer(session.Link) || relay.ObservedEndPoint(peer) is not { } observed || !_running.TryAdd(peer, 0))
        {
            throw new LinkFailedException("no simultaneous open to try");
        }
        var target = new IPEndPoint(observed.Address, 0);
        try
        {
            using var open = SimultaneousOpen.Reserve(options.PeerBindAddress);
            var nonce = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
            var answer = new TaskCompletionSource<PunchOffer>(TaskCreationOptions.RunContinuationsAsynchronously);
            _asked[nonce] = (peer, answer);
            try
            {
                if (!session.Link.TrySend(FrameType.PunchOffer, new PunchOffer(nonce, (ushort)open.Port).ToArray()))
                {
                    throw new LinkFailedException("the relayed link closed");
                }
                target.Port = (await answer.Task.WaitAsync(AnswerTimeout, options.TimeProvider, cancellationToken).ConfigureAwait(false)).Port;
            }
            finally
            {
                _asked.TryRemove(nonce, out _);
            }
            var socket = await open.ConnectAsync(target, Window, options.TimeProvider, cancellationToken).ConfigureAwait(false);
            var link = await links.Establisher.ConnectOverAsync(socket, target, peer, links.HelloFor, relayed: false, cancellationToken, claim)
                .ConfigureAwait(false);
            link.Path = LinkPath.Punched;
            return link;
        }
        catch (Exception e) when (e is SocketException or TimeoutException or OperationCanceledException or IOException)
        {
            throw new LinkFailedException($"simultaneous open with {target} failed: {e.Message}", e);
        }
        finally
        {
            _running.TryRemove(peer, out _);
        }
    }

    public ValueTask OnFrameAsync(PeerSession session, Frame frame)
    {
        var message = frame.Read<PunchOffer>();
        if (frame.Type == FrameType.PunchAnswer)
        {
            if (_asked.TryGetValue(message.Nonce, out var asked) && asked.Peer == session.Id)
            {
                asked.Answer.TrySetResult(message);
            }
        }
        else if (session.Link.Relayed && links.DeviceId.CompareTo(session.Id) > 0)
        {
            _ = AnswerAsync(session, message);
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>The answering side: reserve a port, name it, connect at once, and take the link as the TLS server.</summary>
    private async Task AnswerAsync(PeerSession session, PunchOffer offer)
    {
        var peer = session.Id;
        if (relay.ObservedEndPoint(peer) is not { } observed || links.HoldsLink(peer) || !_running.TryAdd(peer, 0))
        {
            return;
        }
        var target = new IPEndPoint(observed.Address, offer.Port);
        Socket? socket = null;
        try
        {
            using (var open = SimultaneousOpen.Reserve(options.PeerBindAddress))
            {
                if (!session.Link.TrySend(FrameType.PunchAnswer, new PunchOffer(offer.Nonce, (ushort)open.Port).ToArray()))
                {
                    return;
                }
                socket = await open.ConnectAsync(target, Window, options.TimeProvider, links.Stopping).ConfigureAwait(false);
            }
            // Charged to the handshake budget like any connection we accept; the offerer is the TLS client.
            using var ticket = links.Establisher.Gate.TryAdmit(target.Address) ?? throw new LinkFailedException("too many handshakes");
            await ticket.ReadyAsync(socket, links.Stopping).ConfigureAwait(false);
            var link = await links.Establisher.AcceptAsync(socket, ticket, links.HelloFor, links.Stopping).ConfigureAwait(false);
            socket = null;
            if (link.RemoteId != peer)
            {
                await link.CloseAsync(CloseCode.Rejected, "not the device that offered").ConfigureAwait(false);
                return;
            }
            link.Path = LinkPath.Punched;
            await links.RegisterAsync(link).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Whatever went wrong (expected: a dropped SYN, a closed link; or not: a TLS or state error),
            // it ends here: this task is not awaited, so nothing may escape it unobserved.
            socket?.Dispose();
            LinkManagerLog.PunchFailed(_logger, peer.Short, target.ToString(), e is SocketException or LinkFailedException or OperationCanceledException or IOException
                ? e.Message : $"{e.GetType().Name}: {e.Message}");
        }
        finally
        {
            _running.TryRemove(peer, out _);
        }
    }
}
