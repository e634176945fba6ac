using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Parley.Core.Identity;

namespace Parley.Hub;

/// <summary>Why the UDP relay dropped a datagram (each is counted).</summary>
internal enum UdpRelayDrop
{
    /// <summary>Not the allocation's token, and not from a permitted peer: a stranger, or a guessed token.</summary>
    Stranger,

    /// <summary>The member named a peer it has not permitted.</summary>
    NotPermitted,

    /// <summary>Over the allocation's packets or bytes a second.</summary>
    AllocationRate,

    /// <summary>Over the hub's packets or bytes a second for all allocations.</summary>
    HubRate,

    /// <summary>A peer's datagram too large to carry.</summary>
    TooLarge,
}

/// <summary>
/// The hub's UDP relay for media: allocations by ID, each charged to the member that asked (at most
/// <see cref="HubOptions.UdpRelayAllocationsPerMember"/>, <see cref="HubOptions.UdpRelayAllocations"/>
/// in all), freed when the member releases it, when its link closes, or when it is not refreshed
/// within <see cref="HubOptions.UdpRelayLifetime"/> (checked every second).
/// </summary>
internal sealed class UdpRelay : IAsyncDisposable
{
    private readonly HubOptions _options;
    private readonly ConcurrentDictionary<uint, UdpRelayAllocation> _allocations = new();
    private readonly Lock _lock = new();
    private readonly TokenBucket _packets;
    private readonly TokenBucket _bytes;
    private readonly long[] _drops = new long[Enum.GetValues<UdpRelayDrop>().Length];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sweeping;
    private long _relayed;

    public UdpRelay(HubOptions options)
    {
        _options = options;
        _packets = new TokenBucket(options.UdpRelayPacketsPerSecond, options.UdpRelayPacketsPerSecond, options.TimeProvider);
        _bytes = new TokenBucket(options.UdpRelayBytesPerSecond, options.UdpRelayBytesPerSecond, options.TimeProvider);
        Peers = UdpRelayPeerPolicy.ForThisHost(options);
        _sweeping = Task.Run(SweepAsync);
    }

    /// <summary>Which peer addresses allocations may not permit.</summary>
    public UdpRelayPeerPolicy Peers { get; }

    public TimeProvider Time => _options.TimeProvider;

    /// <summary>The hub's address as the internet sees it, when its operator named one.</summary>
    public IPAddress? PublicAddress => _options.PublicAddress;

    /// <summary>Datagrams relayed (either way) since start.</summary>
    public long Relayed => Interlocked.Read(ref _relayed);

    public int Allocations => _allocations.Count;

    /// <summary>The allocations open now (for tests and counters).</summary>
    internal IReadOnlyList<UdpRelayAllocation> Snapshot() => [.. _allocations.Values];

    /// <summary>Datagrams dropped for <paramref name="why"/> since start.</summary>
    public long Dropped(UdpRelayDrop why) => Interlocked.Read(ref _drops[(int)why]);

    public void Count(UdpRelayDrop why) => Interlocked.Increment(ref _drops[(int)why]);

    public void CountRelayed() => Interlocked.Increment(ref _relayed);

    /// <summary>Charges one relayed datagram to the hub's budget; false (charging nothing more) when it is spent.</summary>
    public bool TryCharge(int bytes) => _packets.TryTake() && _bytes.TryTake(bytes);

    /// <summary>
    /// A new allocation for <paramref name="owner"/> on <paramref name="hubAddress"/> (the address the
    /// member reached the hub at, so peers' NATs see replies from where they sent), or why not.
    /// </summary>
    public UdpRelayAllocation? Allocate(DeviceId owner, IPAddress hubAddress, out string refusal)
    {
        if (!_options.UdpRelay)
        {
            refusal = "this hub offers no UDP relay";
            return null;
        }
        lock (_lock)
        {
            var held = _allocations.Values.Count(a => a.Owner == owner);
            if (held >= _options.UdpRelayAllocationsPerMember)
            {
                refusal = $"you hold {held} UDP relay allocations, the most this hub allows";
                return null;
            }
            if (_allocations.Count >= _options.UdpRelayAllocations)
            {
                refusal = "the hub's UDP relay is full";
                return null;
            }
            if (Bind(hubAddress) is not { } socket)
            {
                refusal = "no UDP port could be opened on that address";
                return null;
            }
            uint id;
            do
            {
                id = (uint)Random.Shared.NextInt64(1, uint.MaxValue);
            }
            while (_allocations.ContainsKey(id));
            var allocation = new UdpRelayAllocation(id, owner, socket, this, _options);
            _allocations[id] = allocation;
            refusal = "";
            return allocation;
        }
    }

    /// <summary>The hub's own bind address when it is not "any"; else the address the member named, if it is one of the hub's.</summary>
    private Socket? Bind(IPAddress hubAddress)
    {
        var address = _options.BindAddress.Equals(IPAddress.Any) ? hubAddress : _options.BindAddress;
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(new IPEndPoint(address, 0));
            return socket;
        }
        catch (SocketException)
        {
            socket.Dispose();
            return null;
        }
    }

    /// <summary>The member's own allocation <paramref name="id"/>, or null (another member's is as good as none).</summary>
    public UdpRelayAllocation? Find(DeviceId owner, uint id) => _allocations.TryGetValue(id, out var a) && a.Owner == owner ? a : null;

    public async Task ReleaseAsync(UdpRelayAllocation allocation)
    {
        if (_allocations.TryRemove(allocation.Id, out _))
        {
            await allocation.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Frees every allocation of <paramref name="owner"/> (its link closed, or a new one replaced it).</summary>
    public async Task ReleaseAllAsync(DeviceId owner)
    {
        foreach (var allocation in _allocations.Values.Where(a => a.Owner == owner).ToList())
        {
            await ReleaseAsync(allocation).ConfigureAwait(false);
        }
    }

    private async Task SweepAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(1), Time, _stop.Token).ConfigureAwait(false);
                var now = Time.GetTimestamp();
                foreach (var allocation in _allocations.Values.Where(a => Time.GetElapsedTime(a.LastHeard, now) > _options.UdpRelayLifetime).ToList())
                {
                    await ReleaseAsync(allocation).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _sweeping.ConfigureAwait(false);
        foreach (var allocation in _allocations.Values.ToList())
        {
            await ReleaseAsync(allocation).ConfigureAwait(false);
        }
        _stop.Dispose();
    }
}
