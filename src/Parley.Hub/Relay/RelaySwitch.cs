using System.Buffers;
using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Security.Cryptography;
using Parley.Core.Hub.Relay;
using Parley.Core.Identity;

namespace Parley.Hub;

/// <summary>
/// Splices two nodes' TCP connections through the hub when they cannot reach each other. Each side
/// gets a one-time token over its own authenticated hub link and must open its own connection
/// with it, so no node is ever connected to anyone it did not dial itself. The nodes then run TLS
/// end to end over the splice: the hub moves ciphertext and cannot read or alter it unnoticed.
/// A session is charged to the member who asked for it, which may hold at most
/// <see cref="HubOptions.MaxRelaySessionsPerMember"/> at once, so a few members cannot take every slot.
/// </summary>
internal sealed class RelaySwitch(HubOptions options) : IDisposable
{
    private static readonly TimeSpan TicketLifetime = TimeSpan.FromSeconds(15);
    private readonly ConcurrentDictionary<string, (RelaySession Session, int Side)> _tickets = new();
    private readonly RelayTraffic _traffic = new(options);
    private readonly Lock _lock = new();
    private readonly Dictionary<DeviceId, int> _heldBy = [];
    private int _sessions;

    /// <summary>Relay sessions open now.</summary>
    public int ActiveSessions => Volatile.Read(ref _sessions);

    /// <summary>Bytes moved through the relay since start, both directions.</summary>
    public long BytesRelayed => _traffic.Bytes;

    /// <summary>
    /// Opens a session charged to <paramref name="asker"/> and returns its two one-time tokens (for the
    /// asking side and the invited side); null with the reason when the asker holds its most or the hub is full.
    /// </summary>
    public (byte[] Asker, byte[] Invited)? Open(DeviceId asker, out string refusal)
    {
        if (!Reserve(asker, out refusal))
        {
            return null;
        }
        var session = new RelaySession(asker, options, _traffic);
        var askerToken = Issue(session, 0);
        var invitedToken = Issue(session, 1);
        _ = ExpireAsync(session, askerToken, invitedToken);
        return (askerToken, invitedToken);
    }

    /// <summary>
    /// The target's half of a relay that spans two hubs of a cluster: a session charged to
    /// <paramref name="asker"/> (a member of the other hub) whose asking side is already here
    /// (<paramref name="otherHub"/>, the connection this hub opened to the asker's hub); returns the
    /// invited side's token, or null with the reason.
    /// </summary>
    public byte[]? OpenBridged(DeviceId asker, Socket otherHub, out string refusal)
    {
        if (!Reserve(asker, out refusal))
        {
            return null;
        }
        var session = new RelaySession(asker, options, _traffic);
        session.Attach(0, otherHub);
        var invitedToken = Issue(session, 1);
        _ = ExpireAsync(session, invitedToken);
        return invitedToken;
    }

    /// <summary>Takes back a session whose other half could not be set up: its tokens stop working and its slot is freed.</summary>
    public void Cancel(byte[] askerToken, byte[] invitedToken)
    {
        var asker = _tickets.TryRemove(Convert.ToHexString(askerToken), out var askerTicket);
        var invited = _tickets.TryRemove(Convert.ToHexString(invitedToken), out var invitedTicket);
        if (asker || invited)
        {
            var session = asker ? askerTicket.Session : invitedTicket.Session;
            session.Abandon();
            Release(session);
        }
    }

    private bool Reserve(DeviceId asker, out string refusal)
    {
        lock (_lock)
        {
            var held = _heldBy.GetValueOrDefault(asker);
            if (held >= options.MaxRelaySessionsPerMember)
            {
                refusal = $"you hold {held} relays at this hub, the most one member may; try again when one ends";
                return false;
            }
            if (_sessions >= options.MaxRelaySessions)
            {
                refusal = "the hub's relay is full; try again later";
                return false;
            }
            _heldBy[asker] = held + 1;
            _sessions++;
        }
        refusal = "";
        return true;
    }

    private byte[] Issue(RelaySession session, int side)
    {
        var token = RandomNumberGenerator.GetBytes(RelayTicket.TokenSize);
        _tickets[Convert.ToHexString(token)] = (session, side);
        return token;
    }

    /// <summary>Frees the session's slot, and its asker's.</summary>
    private void Release(RelaySession session)
    {
        lock (_lock)
        {
            _sessions--;
            if (--_heldBy[session.Asker] == 0)
            {
                _heldBy.Remove(session.Asker);
            }
        }
    }

    private async Task ExpireAsync(RelaySession session, params byte[][] tokens)
    {
        await Task.Delay(TicketLifetime, options.TimeProvider).ConfigureAwait(false);
        var unused = false;
        foreach (var token in tokens)
        {
            unused |= _tickets.TryRemove(Convert.ToHexString(token), out _);
        }
        if (unused && !session.Complete)
        {
            // One side never came: close the other and free the slot.
            session.Abandon();
            Release(session);
        }
    }

    /// <summary>
    /// Looks at a new connection: if it starts with the relay preamble, takes it (true) and, once its
    /// partner arrives, splices the two. Anything else is left for the TLS handshake (false), with
    /// nothing read from it: only its first byte is peeked at, which is all it takes to tell (see
    /// <see cref="RelayPreamble"/>). A connection that began like a preamble is read, never peeked
    /// again, and has <see cref="HubOptions.RelayPreambleTimeout"/> to finish it or is closed.
    /// </summary>
    public async Task<bool> TryTakeAsync(Socket socket)
    {
        var head = new byte[RelayPreamble.Size];
        try
        {
            using (var firstByte = new CancellationTokenSource(options.Link.HandshakeTimeout, options.TimeProvider))
            {
                // Waits until the connection has sent something; one byte decides, so this never spins.
                var peeked = await socket.ReceiveAsync(head.AsMemory(0, 1), SocketFlags.Peek, firstByte.Token).ConfigureAwait(false);
                if (peeked == 0 || RelayPreamble.Parse(new ReadOnlySequence<byte>(head, 0, 1), out _) == PreambleOutcome.NotAPreamble)
                {
                    return false; // TLS (or garbage, or a close, that the handshake will refuse)
                }
            }
            if (await ReadPreambleAsync(socket, head).ConfigureAwait(false) is not { } token)
            {
                socket.Dispose();
                return true;
            }
            if (!_tickets.TryRemove(token, out var ticket))
            {
                socket.Dispose(); // unknown, used or expired token
                return true;
            }
            if (ticket.Session.Attach(ticket.Side, socket))
            {
                _ = SpliceAsync(ticket.Session);
            }
            return true;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            socket.Dispose();
            return true;
        }
    }

    /// <summary>Reads (never past the preamble, so what follows stays for the peer's TLS) until the preamble is whole or cannot be; its token in hex, or null.</summary>
    private async Task<string?> ReadPreambleAsync(Socket socket, byte[] head)
    {
        using var deadline = new CancellationTokenSource(options.RelayPreambleTimeout, options.TimeProvider);
        var received = 0;
        while (true)
        {
            var read = await socket.ReceiveAsync(head.AsMemory(received), SocketFlags.None, deadline.Token).ConfigureAwait(false);
            if (read == 0)
            {
                return null;
            }
            received += read;
            switch (RelayPreamble.Parse(new ReadOnlySequence<byte>(head, 0, received), out var token))
            {
                case PreambleOutcome.Preamble:
                    return Convert.ToHexString(token.ToArray());
                case PreambleOutcome.NotAPreamble:
                    return null;
            }
        }
    }

    private async Task SpliceAsync(RelaySession session)
    {
        try
        {
            await session.SpliceAsync().ConfigureAwait(false);
        }
        finally
        {
            Release(session);
        }
    }

    public void Dispose()
    {
        foreach (var (session, _) in _tickets.Values)
        {
            session.Abandon();
        }
        _tickets.Clear();
    }
}
