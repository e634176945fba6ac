using System.Net;
using System.Net.Sockets;

namespace Parley.Core.Links;

/// <summary>
/// The handshake budget of a node or a hub, shared by its listener and its relayed links. A
/// connection is admitted per source (an IPv4 address, an IPv6 /64; a relayed one counts against
/// the hub it comes through) up to <see cref="LinkOptions.MaxPendingPerAddress"/> and
/// <see cref="LinkOptions.MaxPendingConnections"/> in all, evicting the source's oldest connection
/// not yet handshaking when full (silent ones first), so idle sockets cannot keep a real peer out,
/// even one behind the same address. It must send a byte within
/// <see cref="LinkOptions.FirstByteTimeout"/> (a ClientHello comes at once), and only then waits for
/// one of <see cref="LinkOptions.MaxConcurrentHandshakes"/> TLS slots, at most
/// <see cref="LinkOptions.MaxHandshakesPerAddress"/> of them per source.
/// </summary>
public sealed class HandshakeGate(LinkOptions options)
{
    private readonly Lock _lock = new();
    private readonly LinkedList<HandshakeTicket> _queued = []; // admitted, not yet handshaking, oldest first
    private readonly Dictionary<IPAddress, Source> _sources = [];
    private TaskCompletionSource _slotFreed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _pending;
    private int _handshaking;

    private sealed class Source
    {
        public int Pending;
        public int Handshaking;
    }

    internal LinkOptions Options => options;

    /// <summary>Connections admitted and not yet linked or dropped, handshaking or not.</summary>
    public int Pending
    {
        get
        {
            lock (_lock)
            {
                return _pending;
            }
        }
    }

    /// <summary>TLS handshakes holding a slot now.</summary>
    public int Handshaking
    {
        get
        {
            lock (_lock)
            {
                return _handshaking;
            }
        }
    }

    /// <summary>
    /// Admits a connection from <paramref name="source"/>, closing an older one of the same source
    /// (or any, when the whole gate is full) that has not started its handshake; null when every one
    /// of them is handshaking already: the caller closes the new connection.
    /// </summary>
    public HandshakeTicket? TryAdmit(IPAddress source)
    {
        var key = KeyOf(source);
        HandshakeTicket? evicted = null;
        HandshakeTicket ticket;
        lock (_lock)
        {
            var from = _sources.GetValueOrDefault(key);
            if (from?.Pending >= options.MaxPendingPerAddress)
            {
                evicted = Oldest(key);
                if (evicted is null)
                {
                    return null;
                }
            }
            else if (_pending >= options.MaxPendingConnections)
            {
                evicted = Oldest(null);
                if (evicted is null)
                {
                    return null;
                }
            }
            if (evicted is not null)
            {
                RemoveLocked(evicted);
            }
            if (from is null)
            {
                _sources[key] = from = new Source();
            }
            from.Pending++;
            _pending++;
            ticket = new HandshakeTicket(this, key);
            ticket.Node = _queued.AddLast(ticket);
        }
        evicted?.Evict();
        return ticket;
    }

    /// <summary>The oldest connection not yet handshaking (of <paramref name="key"/>, or of any source): silent ones before those that sent a byte.</summary>
    private HandshakeTicket? Oldest(IPAddress? key)
    {
        HandshakeTicket? spoke = null;
        foreach (var ticket in _queued)
        {
            if (key is null || ticket.Source.Equals(key))
            {
                if (!ticket.HeardFrom)
                {
                    return ticket;
                }
                spoke ??= ticket;
            }
        }
        return spoke;
    }

    /// <summary>Takes a TLS slot for <paramref name="ticket"/> if one is free now, for the whole gate and its source.</summary>
    internal bool TryTakeSlot(HandshakeTicket ticket, out Task slotFreed)
    {
        lock (_lock)
        {
            slotFreed = _slotFreed.Task;
            if (ticket.Released || ticket.Handshaking)
            {
                return ticket.Handshaking; // or evicted meanwhile: the caller's wait is being cancelled
            }
            var from = _sources[ticket.Source];
            if (_handshaking >= options.MaxConcurrentHandshakes || from.Handshaking >= options.MaxHandshakesPerAddress)
            {
                return false;
            }
            if (ticket.Node is { } node)
            {
                _queued.Remove(node);
                ticket.Node = null;
            }
            ticket.Handshaking = true;
            from.Handshaking++;
            _handshaking++;
            return true;
        }
    }

    /// <summary>The ticket is done (linked, failed or evicted): its place and any slot it held are free.</summary>
    internal void Release(HandshakeTicket ticket)
    {
        lock (_lock)
        {
            RemoveLocked(ticket);
        }
    }

    private void RemoveLocked(HandshakeTicket ticket)
    {
        if (ticket.Released)
        {
            return;
        }
        ticket.Released = true;
        if (ticket.Node is not null)
        {
            _queued.Remove(ticket.Node);
            ticket.Node = null;
        }
        var from = _sources[ticket.Source];
        from.Pending--;
        _pending--;
        if (ticket.Handshaking)
        {
            from.Handshaking--;
            _handshaking--;
            var freed = _slotFreed;
            _slotFreed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            freed.SetResult();
        }
        if (from.Pending == 0)
        {
            _sources.Remove(ticket.Source);
        }
    }

    /// <summary>What a source is counted as: an IPv4 address, or the /64 of an IPv6 one (what one host is usually given).</summary>
    internal static IPAddress KeyOf(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address;
        }
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes);
    }
}

/// <summary>
/// One connection's place at the <see cref="HandshakeGate"/>: from admission until it is linked or
/// dropped. Dispose it when the handshake ends, either way.
/// </summary>
public sealed class HandshakeTicket : IDisposable
{
    private readonly HandshakeGate _gate;
    private readonly CancellationTokenSource _evicted = new();

    internal HandshakeTicket(HandshakeGate gate, IPAddress source)
    {
        _gate = gate;
        Source = source;
    }

    internal IPAddress Source { get; }

    internal LinkedListNode<HandshakeTicket>? Node { get; set; }

    internal bool Released { get; set; }

    private volatile bool _heardFrom;

    /// <summary>The connection sent its first byte.</summary>
    internal bool HeardFrom => _heardFrom;

    /// <summary>Holds a TLS slot: the handshake may run.</summary>
    public bool Handshaking { get; internal set; }

    internal void Evict() => _evicted.Cancel();

    /// <summary>
    /// Waits for <paramref name="socket"/>'s first byte (without consuming it), then for a TLS slot.
    /// Throws <see cref="LinkFailedException"/> saying why when the connection stayed silent, closed,
    /// was evicted for a newer one, or found no slot within the handshake timeout.
    /// </summary>
    public async Task ReadyAsync(Socket socket, CancellationToken cancellationToken)
    {
        var options = _gate.Options;
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _evicted.Token);
        wait.CancelAfter(options.FirstByteTimeout);
        try
        {
            // One peek of one byte: it returns once anything is there, and leaves it for TLS (or a relay preamble).
            var first = new byte[1];
            if (await socket.ReceiveAsync(first, SocketFlags.Peek, wait.Token).ConfigureAwait(false) == 0)
            {
                throw new LinkFailedException("closed before the handshake");
            }
            _heardFrom = true;
            wait.CancelAfter(options.HandshakeTimeout);
            while (!_gate.TryTakeSlot(this, out var slotFreed))
            {
                wait.Token.ThrowIfCancellationRequested();
                await slotFreed.WaitAsync(wait.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new LinkFailedException(_evicted.IsCancellationRequested ? "dropped: too many connections from its address waiting to link"
                : HeardFrom ? "no handshake slot within the handshake timeout" : $"nothing received within {options.FirstByteTimeout.TotalSeconds:0.#} s");
        }
        catch (SocketException e)
        {
            throw new LinkFailedException("connection lost before the handshake: " + e.SocketErrorCode, e);
        }
    }

    // _evicted is not disposed: the gate may cancel it after the owner is done, and without a timer it holds nothing.
    public void Dispose() => _gate.Release(this);
}
