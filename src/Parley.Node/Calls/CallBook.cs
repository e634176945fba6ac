using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using Parley.Core.Identity;

namespace Parley.Node.Calls;

/// <summary>A call request that cannot be carried out; the message says why.</summary>
internal sealed class CallException(string message, int status = 400) : RequestRefusedException(message, status);

/// <summary>
/// The calls this node knows, live and recently ended, and when each peer last rang. Ended calls
/// are kept for the list (the last <see cref="KeptEnded"/>), not for ever: the media clock walks them all.
/// </summary>
internal sealed class CallBook
{
    private const int KeptEnded = 50;
    private readonly ConcurrentDictionary<uint, Call> _calls = new();
    private readonly ConcurrentDictionary<DeviceId, DateTimeOffset> _lastRing = new();
    private readonly SemaphoreSlim _added = new(0, 1);

    /// <summary>Where pages find the node's page TURN server (<see cref="PageTurnSocket.Url"/>); set once the socket is made.</summary>
    public Func<string?>? PageTurnUrl { get; set; }

    /// <summary>In no order, for the clock (no sorting every 5 ms).</summary>
    public ICollection<Call> Unordered => _calls.Values;

    /// <summary>Newest first.</summary>
    public IReadOnlyList<Call> All => [.. _calls.Values.OrderByDescending(c => c.Created)];

    /// <summary>A call ringing or running: this node is busy.</summary>
    public bool AnyLive => _calls.Values.Any(c => c.State != CallState.Ended);

    /// <summary>The calls with <paramref name="peer"/> that have not ended.</summary>
    public IEnumerable<Call> LiveWith(DeviceId peer) => _calls.Values.Where(c => c.Peer == peer && c.State != CallState.Ended);

    public bool Contains(uint id) => _calls.ContainsKey(id);

    /// <summary>The call <paramref name="id"/> if it is one with <paramref name="peer"/> (a peer cannot touch another's calls).</summary>
    public Call? With(DeviceId peer, uint id) => _calls.TryGetValue(id, out var call) && call.Peer == peer ? call : null;

    public Call Find(string id) =>
        uint.TryParse(id, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var number) && _calls.TryGetValue(number, out var call)
            ? call
            : throw new CallException($"no call '{id}'", 404);

    /// <summary>Adds a new call and wakes the media clock.</summary>
    public void Add(Call call)
    {
        call.TurnUrl = PageTurnUrl?.Invoke();
        _calls[call.Id] = call;
        if (_added.CurrentCount == 0)
        {
            _added.Release();
        }
    }

    /// <summary>Notes a ring from <paramref name="peer"/> now; true when its previous ring was less than <paramref name="interval"/> ago.</summary>
    public bool RangWithin(DeviceId peer, DateTimeOffset now, TimeSpan interval)
    {
        var recent = _lastRing.TryGetValue(peer, out var last) && now - last < interval;
        _lastRing[peer] = now;
        return recent;
    }

    /// <summary>Waits until a call is added (the clock sleeps while there is none).</summary>
    public Task WaitForCallAsync(CancellationToken cancellationToken) => _added.WaitAsync(cancellationToken);

    public uint NewId()
    {
        uint id;
        do
        {
            id = BitConverter.ToUInt32(RandomNumberGenerator.GetBytes(4));
        }
        while (id == 0 || _calls.ContainsKey(id));
        return id;
    }

    public void ForgetOldCalls()
    {
        foreach (var old in _calls.Values.Where(c => c.State == CallState.Ended).OrderByDescending(c => c.Created).Skip(KeptEnded))
        {
            _calls.TryRemove(old.Id, out _);
        }
    }
}
