using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Security.Cryptography;
using Parley.Core.Hub.Relay;

namespace Parley.Hub;

/// <summary>
/// Splices two nodes' TCP connections through the hub when they cannot reach each other. Each side
/// gets a one-time token over its own authenticated hub link and must open its own connection
/// with it, so no node is ever connected to anyone it did not dial itself. The nodes then run TLS
/// end to end over the splice: the hub moves ciphertext and cannot read or alter it unnoticed.
/// </summary>
internal sealed class RelaySwitch(HubOptions options) : IDisposable
{
    private static readonly TimeSpan TicketLifetime = TimeSpan.FromSeconds(15);
    private readonly ConcurrentDictionary<string, (RelaySession Session, int Side)> _tickets = new();
    private readonly RelayTraffic _traffic = new(options);
    private int _sessions;

    /// <summary>Relay sessions open now.</summary>
    public int ActiveSessions => Volatile.Read(ref _sessions);

    /// <summary>Bytes moved through the relay since start, both directions.</summary>
    public long BytesRelayed => _traffic.Bytes;

    /// <summary>Opens a session and returns the two one-time tokens (for the asking side and the invited side), or null when full.</summary>
    public (byte[] Asker, byte[] Invited)? Open()
    {
        if (Interlocked.Increment(ref _sessions) > options.MaxRelaySessions)
        {
            Interlocked.Decrement(ref _sessions);
            return null;
        }
        var session = new RelaySession(options, _traffic);
        var asker = RandomNumberGenerator.GetBytes(RelayTicket.TokenSize);
        var invited = RandomNumberGenerator.GetBytes(RelayTicket.TokenSize);
        _tickets[Convert.ToHexString(asker)] = (session, 0);
        _tickets[Convert.ToHexString(invited)] = (session, 1);
        _ = ExpireAsync(session, asker, invited);
        return (asker, invited);
    }

    private async Task ExpireAsync(RelaySession session, byte[] asker, byte[] invited)
    {
        await Task.Delay(TicketLifetime, options.TimeProvider).ConfigureAwait(false);
        var unused = _tickets.TryRemove(Convert.ToHexString(asker), out _) | _tickets.TryRemove(Convert.ToHexString(invited), out _);
        if (unused && !session.Complete)
        {
            // One side never came: close the other and free the slot.
            session.Abandon();
            Interlocked.Decrement(ref _sessions);
        }
    }

    /// <summary>
    /// Looks at a new connection: if it starts with the relay preamble, takes it (true) and, once its
    /// partner arrives, splices the two. Anything else is left for the TLS handshake (false).
    /// </summary>
    public async Task<bool> TryTakeAsync(Socket socket)
    {
        var head = new byte[RelayTicket.Preamble.Length + RelayTicket.TokenSize];
        using var timeout = new CancellationTokenSource(options.Link.HandshakeTimeout, options.TimeProvider);
        try
        {
            if (!await StartsWithPreambleAsync(socket, head, timeout.Token).ConfigureAwait(false))
            {
                return false; // TLS (or garbage the handshake will refuse)
            }
            for (var read = 0; read < head.Length;)
            {
                var n = await socket.ReceiveAsync(head.AsMemory(read), SocketFlags.None, timeout.Token).ConfigureAwait(false);
                read += n > 0 ? n : throw new SocketException((int)SocketError.ConnectionReset);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            socket.Dispose();
            return true;
        }
        if (!_tickets.TryRemove(Convert.ToHexString(head.AsSpan(RelayTicket.Preamble.Length)), out var ticket))
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

    /// <summary>Peeks (without consuming, so TLS still sees its hello) until the preamble matches or cannot.</summary>
    private static async Task<bool> StartsWithPreambleAsync(Socket socket, byte[] head, CancellationToken cancellationToken)
    {
        var peeked = 0;
        while (peeked < RelayTicket.Preamble.Length)
        {
            peeked = await socket.ReceiveAsync(head.AsMemory(0, RelayTicket.Preamble.Length), SocketFlags.Peek, cancellationToken).ConfigureAwait(false);
            if (peeked == 0 || !head.AsSpan(0, peeked).SequenceEqual(RelayTicket.Preamble[..peeked]))
            {
                return false;
            }
        }
        return true;
    }

    private async Task SpliceAsync(RelaySession session)
    {
        try
        {
            await session.SpliceAsync().ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _sessions);
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
