using Parley.Core.Identity;
using Parley.Node.Storage;

namespace Parley.Node.Contacts;

/// <summary>Every device this node has a decision about (contacts, requests, denied, blocked), cached over the store.</summary>
public sealed class ContactBook
{
    private readonly NodeStore _store;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, PeerRecord> _peers;

    private ContactBook(NodeStore store, TimeProvider time, IEnumerable<PeerRecord> peers)
    {
        _store = store;
        _time = time;
        _peers = peers.ToDictionary(p => p.DeviceId);
    }

    public static async Task<ContactBook> LoadAsync(NodeStore store, TimeProvider time) =>
        new(store, time, await store.LoadPeersAsync().ConfigureAwait(false));

    public IReadOnlyList<PeerRecord> All
    {
        get
        {
            lock (_lock)
            {
                return [.. _peers.Values];
            }
        }
    }

    public PeerRecord? Find(DeviceId id)
    {
        lock (_lock)
        {
            return _peers.GetValueOrDefault(id.Compact);
        }
    }

    public bool IsContact(DeviceId id) => Find(id)?.State == PeerState.Contact;

    /// <summary>As <see cref="UpdateAsync"/>, but only when <paramref name="id"/> has a record (never creates one); null when not.</summary>
    public async Task<PeerRecord?> UpdateIfKnownAsync(DeviceId id, Func<PeerRecord, PeerRecord> change)
    {
        PeerRecord updated;
        Task saved;
        lock (_lock)
        {
            if (!_peers.TryGetValue(id.Compact, out var current))
            {
                return null;
            }
            _peers[id.Compact] = updated = change(current);
            saved = _store.SavePeerAsync(updated);
        }
        await saved.ConfigureAwait(false);
        return updated;
    }

    /// <summary>
    /// As <see cref="UpdateAsync"/> for a device that is (or becomes) a request, keeping at most
    /// <paramref name="maxRequests"/>: a new one past it drops the requests heard from longest ago.
    /// Returns the record and the devices dropped (the caller closes their links).
    /// </summary>
    public async Task<(PeerRecord Record, IReadOnlyList<DeviceId> Dropped)> UpdateRequestAsync(DeviceId id, Func<PeerRecord, PeerRecord> change, int maxRequests)
    {
        var dropped = new List<DeviceId>();
        var saved = new List<Task>();
        PeerRecord updated;
        lock (_lock)
        {
            if (!_peers.ContainsKey(id.Compact))
            {
                var requests = _peers.Values.Where(p => p.State == PeerState.Request).OrderBy(p => p.LastSeen ?? p.CreatedAt).ToList();
                foreach (var oldest in requests.Take(requests.Count + 1 - maxRequests))
                {
                    _peers.Remove(oldest.DeviceId);
                    saved.Add(_store.DeletePeerAsync(oldest.DeviceId));
                    dropped.Add(DeviceId.Parse(oldest.DeviceId));
                }
            }
            var current = _peers.GetValueOrDefault(id.Compact)
                ?? new PeerRecord(id.Compact, PeerState.Request, "", null, null, null, _time.GetUtcNow());
            updated = change(current);
            _peers[id.Compact] = updated;
            saved.Add(_store.SavePeerAsync(updated));
        }
        await Task.WhenAll(saved).ConfigureAwait(false);
        return (updated, dropped);
    }

    /// <summary>
    /// Changes (or creates, when <paramref name="change"/> gets null) the record of <paramref name="id"/>
    /// and stores it. Returns the new record.
    /// </summary>
    public async Task<PeerRecord> UpdateAsync(DeviceId id, Func<PeerRecord, PeerRecord> change)
    {
        PeerRecord updated;
        Task saved;
        lock (_lock)
        {
            var current = _peers.GetValueOrDefault(id.Compact)
                ?? new PeerRecord(id.Compact, PeerState.Request, "", null, null, null, _time.GetUtcNow());
            updated = change(current);
            _peers[id.Compact] = updated;
            // Queued under the lock, so the store receives concurrent changes in the order they were made.
            saved = _store.SavePeerAsync(updated);
        }
        await saved.ConfigureAwait(false);
        return updated;
    }
}
