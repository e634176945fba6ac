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
    private readonly ConcurrentDictionary<string, (Session Session, int Side)> _tickets = new();
    private readonly ByteRateLimiter _hubLimit = new(options.RelayBytesPerSecond, options.TimeProvider);
    private int _sessions;

    /// <summary>Relay sessions open now.</summary>
    public int ActiveSessions => Volatile.Read(ref _sessions);

    /// <summary>Sees every relayed chunk (for tests that check the relay carries no plaintext).</summary>
    internal Action<ReadOnlyMemory<byte>>? Tap { get; set; }

    /// <summary>Bytes moved through the relay since start, both directions.</summary>
    public long BytesRelayed => Interlocked.Read(ref _bytes);

    private long _bytes;

    private sealed class Session(RelaySwitch owner)
    {
        public readonly Socket?[] Sides = new Socket?[2];
        public readonly ByteRateLimiter Limit = new(owner._options.RelayBytesPerSecondPerSession, owner._options.TimeProvider);
        public int Attached;
    }

    private readonly HubOptions _options = options;

    /// <summary>Opens a session and returns the two one-time tokens (for the asking side and the invited side), or null when full.</summary>
    public (byte[] Asker, byte[] Invited)? Open()
    {
        if (Interlocked.Increment(ref _sessions) > _options.MaxRelaySessions)
        {
            Interlocked.Decrement(ref _sessions);
            return null;
        }
        var session = new Session(this);
        var asker = RandomNumberGenerator.GetBytes(RelayTicket.TokenSize);
        var invited = RandomNumberGenerator.GetBytes(RelayTicket.TokenSize);
        _tickets[Convert.ToHexString(asker)] = (session, 0);
        _tickets[Convert.ToHexString(invited)] = (session, 1);
        _ = ExpireAsync(session, asker, invited);
        return (asker, invited);
    }

    private async Task ExpireAsync(Session session, byte[] asker, byte[] invited)
    {
        await Task.Delay(TicketLifetime, _options.TimeProvider).ConfigureAwait(false);
        var unused = _tickets.TryRemove(Convert.ToHexString(asker), out _) | _tickets.TryRemove(Convert.ToHexString(invited), out _);
        if (unused && Volatile.Read(ref session.Attached) < 2)
        {
            // One side never came: close the other and free the slot.
            foreach (var side in session.Sides)
            {
                side?.Dispose();
            }
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
        using var timeout = new CancellationTokenSource(_options.Link.HandshakeTimeout);
        try
        {
            var peeked = 0;
            while (peeked < RelayTicket.Preamble.Length)
            {
                peeked = await socket.ReceiveAsync(head.AsMemory(0, RelayTicket.Preamble.Length), SocketFlags.Peek, timeout.Token).ConfigureAwait(false);
                if (peeked == 0)
                {
                    return false;
                }
                if (!head.AsSpan(0, peeked).SequenceEqual(RelayTicket.Preamble[..peeked]))
                {
                    return false; // TLS (or garbage the handshake will refuse)
                }
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
        var session = ticket.Session;
        session.Sides[ticket.Side] = socket;
        if (Interlocked.Increment(ref session.Attached) == 2)
        {
            _ = SpliceAsync(session);
        }
        return true;
    }

    private async Task SpliceAsync(Session session)
    {
        var (a, b) = (session.Sides[0]!, session.Sides[1]!);
        a.NoDelay = b.NoDelay = true;
        try
        {
            await Task.WhenAll(PumpAsync(a, b, session), PumpAsync(b, a, session)).ConfigureAwait(false);
        }
        finally
        {
            a.Dispose();
            b.Dispose();
            Interlocked.Decrement(ref _sessions);
        }
    }

    /// <summary>Copies one direction until it ends, within the session's and the hub's byte rates.</summary>
    private async Task PumpAsync(Socket from, Socket to, Session session)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None).ConfigureAwait(false);
                if (read == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }
                await session.Limit.TakeAsync(read).ConfigureAwait(false);
                await _hubLimit.TakeAsync(read).ConfigureAwait(false);
                Tap?.Invoke(buffer.AsMemory(0, read));
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None).ConfigureAwait(false);
                Interlocked.Add(ref _bytes, read);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            from.Dispose();
            to.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var (session, _) in _tickets.Values)
        {
            foreach (var side in session.Sides)
            {
                side?.Dispose();
            }
        }
        _tickets.Clear();
    }
}

/// <summary>Lets bytes through at a set rate (with a one-second burst), delaying the caller when over.</summary>
internal sealed class ByteRateLimiter(long bytesPerSecond, TimeProvider time)
{
    private readonly Lock _lock = new();
    private double _available = bytesPerSecond;
    private long _last = time.GetTimestamp();

    public async ValueTask TakeAsync(int bytes)
    {
        TimeSpan wait;
        lock (_lock)
        {
            var now = time.GetTimestamp();
            _available = Math.Min(bytesPerSecond, _available + time.GetElapsedTime(_last, now).TotalSeconds * bytesPerSecond);
            _last = now;
            _available -= bytes;
            wait = _available >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_available / bytesPerSecond);
        }
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, time).ConfigureAwait(false);
        }
    }
}
