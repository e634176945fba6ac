using System.Net;
using Parley.Core.Identity;

namespace Parley.Node.Discovery;

/// <summary>A device heard on the LAN: where it said it listens, and when we last heard it.</summary>
public sealed record NearbyPeer(DeviceId DeviceId, string Name, IPEndPoint Endpoint, DateTimeOffset LastSeen);

/// <summary>Devices heard recently on the LAN. Entries older than the expiry drop out of <see cref="Current"/>.</summary>
public sealed class NearbyList(TimeProvider time, TimeSpan expiry)
{
    /// <summary>Most devices remembered, so a flood of fake announcements cannot grow memory without bound. 1,024.</summary>
    public const int MaxEntries = 1024;
    private readonly Lock _lock = new();
    private readonly Dictionary<DeviceId, NearbyPeer> _peers = [];

    /// <summary>Records a sighting; true when the device is new or had expired (worth announcing back).</summary>
    public bool Update(DeviceId id, string name, IPEndPoint endpoint)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            var known = _peers.TryGetValue(id, out var previous) && now - previous.LastSeen < expiry;
            if (!known && _peers.Count >= MaxEntries)
            {
                RemoveExpired(now);
                if (_peers.Count >= MaxEntries)
                {
                    return false;
                }
            }
            _peers[id] = new NearbyPeer(id, name, endpoint, now);
            return !known;
        }
    }

    public IReadOnlyList<NearbyPeer> Current
    {
        get
        {
            var now = time.GetUtcNow();
            lock (_lock)
            {
                RemoveExpired(now);
                return [.. _peers.Values.OrderBy(p => p.Name, StringComparer.OrdinalIgnoreCase)];
            }
        }
    }

    private void RemoveExpired(DateTimeOffset now)
    {
        foreach (var stale in _peers.Values.Where(p => now - p.LastSeen >= expiry).ToList())
        {
            _peers.Remove(stale.DeviceId);
        }
    }
}
