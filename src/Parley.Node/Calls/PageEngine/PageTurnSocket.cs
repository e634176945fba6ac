using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Parley.Core.Calls;
using Parley.Core.Net;
using Parley.Core.Traversal;

namespace Parley.Node.Calls;

/// <summary>
/// The node's TURN server for its own pages (UDP on 127.0.0.1, any port), for calls on the pages'
/// WebRTC engine (<see cref="CallEngines.WebRtc"/>). A page allocates with its call's credentials
/// (<see cref="PageTurnCredentials"/>); from then on what it sends to a peer address goes into the
/// call's media session as a tunnel datagram (<see cref="MediaSession.SendTunnel"/>), whichever path
/// that session has (direct UDP, hub relay, TURN, the TLS link), and what comes back is handed to the
/// allocation the peer addressed. A tunnel datagram starts with the two relayed addresses:
/// <code>from IPv4 (4) | from port u16 | to IPv4 (4) | to port u16 | the page's datagram</code>
/// Relayed addresses are names only, from the documentation ranges (RFC 5737): the caller's page gets
/// 192.0.2.1, the callee's 198.51.100.1, so the two sides never name the same address.
/// </summary>
internal sealed class PageTurnSocket(CallBook book, TimeProvider time, ILoggerFactory loggerFactory) : INodeService
{
    private const int AddressSize = 6;
    private const int HeaderSize = 2 * AddressSize;

    /// <summary>Allocations one call's page may hold (one per network interface Chromium finds, a few at most); when all are held, <see cref="PageTurnPlaces"/> says which a new one takes.</summary>
    private const int MaxAllocationsPerCall = 4;
    private const int FirstRelayedPort = 40000;

    /// <summary>The largest datagram handed to the page: what a Data indication's 16-bit length leaves after its own attributes.</summary>
    private const int MaxPageDatagram = 65_471;
    private static readonly IPAddress s_callerRelayed = IPAddress.Parse("192.0.2.1");
    private static readonly IPAddress s_calleeRelayed = IPAddress.Parse("198.51.100.1");
    private static readonly IPEndPoint s_unplaced = new(IPAddress.Any, 0);
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly ConcurrentDictionary<IPEndPoint, (Call Call, PageTurnAllocation Allocation)> _byPage = new();
    private readonly ILogger _logger = loggerFactory.CreateLogger("Parley.Calls");
    private Task _receiving = Task.CompletedTask;

    /// <summary>What pages are told to use, once started.</summary>
    public string? Url { get; private set; }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Url = $"turn:127.0.0.1:{((IPEndPoint)_socket.LocalEndPoint!).Port}?transport=udp";
        book.PageTurnUrl = () => Url;
        _receiving = DatagramThread.Start(_socket, "parley-page-turn", 65_536, (datagram, page) => OnDatagramSafely(datagram.Span, (IPEndPoint)page));
        return Task.CompletedTask;
    }

    public async Task StopAsync()
    {
        _socket.Dispose();
        await _receiving.ConfigureAwait(false);
    }

    /// <summary>The call ended: its allocations go (the page's later packets are answered with a challenge and go nowhere).</summary>
    public void Forget(Call call)
    {
        call.ToPageEngine = null;
        foreach (var (page, entry) in _byPage)
        {
            if (entry.Call == call)
            {
                _byPage.TryRemove(page, out _);
            }
        }
    }

    private void OnDatagramSafely(ReadOnlySpan<byte> datagram, IPEndPoint page)
    {
        try
        {
            OnDatagram(datagram, page);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            PageTurnLog.Dropped(_logger, e.Message);
        }
    }

    private void OnDatagram(ReadOnlySpan<byte> datagram, IPEndPoint page)
    {
        if (_byPage.TryGetValue(page, out var held) && held.Allocation.IsExpired)
        {
            _byPage.TryRemove(page, out _); // its lifetime ran out with no Refresh: this page starts again like any other
        }
        if (!_byPage.TryGetValue(page, out var entry))
        {
            if (Allocate(datagram, page) is not { } created)
            {
                Reply(PageTurnAllocation.Challenge(datagram), page);
                return;
            }
            entry = created;
        }
        var (call, allocation) = entry;
        allocation.Handle(datagram, page, out var reply, out var toPeer);
        Reply(reply, page);
        if (allocation.Released)
        {
            _byPage.TryRemove(page, out _);
        }
        if (toPeer is { } sent && call.State == CallState.Active && call.Session is { } session)
        {
            var tunnelled = new byte[HeaderSize + sent.Data.Length];
            WriteAddress(tunnelled, allocation.Relayed);
            WriteAddress(tunnelled.AsSpan(AddressSize), sent.Peer);
            sent.Data.CopyTo(tunnelled, HeaderSize);
            session.SendTunnel(tunnelled);
        }
    }

    /// <summary>A new allocation for the page at <paramref name="page"/>, if the datagram is a request signed by a live call's user (checked by the allocation itself).</summary>
    private (Call, PageTurnAllocation)? Allocate(ReadOnlySpan<byte> datagram, IPEndPoint page)
    {
        if (PageTurnAllocation.UsernameOf(datagram) is not { } username
            || book.Unordered.FirstOrDefault(c => c.State != CallState.Ended && c.Engines == CallEngines.WebRtc && c.Turn.Username == username) is not { } call)
        {
            return null;
        }
        if (!new PageTurnAllocation(username, call.Turn.Password, s_unplaced).IsSignedBy(datagram))
        {
            return null; // a guess at the password takes no place and evicts none: only the page, which has it, allocates
        }
        var held = _byPage.Where(e => e.Value.Call == call).ToList();
        if (PageTurnPlaces.Choose(held.ConvertAll(e => e.Value.Allocation), FirstRelayedPort, MaxAllocationsPerCall, out var evicted) is not { } port)
        {
            return null;
        }
        foreach (var gone in held.Where(e => e.Value.Allocation.IsExpired || e.Value.Allocation == evicted))
        {
            _byPage.TryRemove(gone.Key, out _);
        }
        var relayed = new IPEndPoint(call.Outgoing ? s_callerRelayed : s_calleeRelayed, port);
        var allocation = new PageTurnAllocation(username, call.Turn.Password, relayed, time);
        var entry = (call, allocation);
        _byPage[page] = entry;
        call.ToPageEngine = FromPeer(call);
        if (call.State == CallState.Ended)
        {
            Forget(call); // the call ended while this was made: End sets the state before it forgets, so nothing outlives it
            return null;
        }
        return entry;
    }

    /// <summary>Hands a tunnel datagram from the peer to the allocation it names.</summary>
    private Action<byte[]> FromPeer(Call call) => tunnelled =>
    {
        if (tunnelled.Length is <= HeaderSize or > HeaderSize + MaxPageDatagram)
        {
            return; // empty, or more than a Data indication's 16-bit length can carry to the page
        }
        var from = ReadAddress(tunnelled);
        var to = ReadAddress(tunnelled.AsSpan(AddressSize));
        foreach (var (page, entry) in _byPage)
        {
            if (entry.Call == call && entry.Allocation.Relayed.Equals(to) && !entry.Allocation.IsExpired)
            {
                Reply(entry.Allocation.ToPage(from, tunnelled.AsSpan(HeaderSize)), page);
                return;
            }
        }
    };

    private void Reply(byte[]? bytes, IPEndPoint page)
    {
        if (bytes is null)
        {
            return;
        }
        try
        {
            _socket.SendTo(bytes, page);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // The page went; its call ends on its own.
        }
    }

    private static void WriteAddress(Span<byte> output, IPEndPoint address)
    {
        var v4 = address.Address.IsIPv4MappedToIPv6 ? address.Address.MapToIPv4() : address.Address;
        if (v4.AddressFamily != AddressFamily.InterNetwork || !v4.TryWriteBytes(output, out _))
        {
            output[..4].Clear(); // only IPv4 names are handed out; any other peer address is no page's
        }
        BinaryPrimitives.WriteUInt16BigEndian(output[4..], (ushort)address.Port);
    }

    private static IPEndPoint ReadAddress(ReadOnlySpan<byte> input) => new(new IPAddress(input[..4]), BinaryPrimitives.ReadUInt16BigEndian(input[4..]));
}

internal static partial class PageTurnLog
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Page TURN datagram dropped: {Reason}")]
    public static partial void Dropped(ILogger logger, string reason);
}
