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

    /// <summary>Forgets <paramref name="id"/> if its record still meets <paramref name="condition"/>; true when it was removed.</summary>
    public async Task<bool> RemoveAsync(DeviceId id, Func<PeerRecord, bool> condition)
    {
        Task deleted;
        lock (_lock)
        {
            if (!_peers.TryGetValue(id.Compact, out var current) || !condition(current))
            {
                return false;
            }
            _peers.Remove(id.Compact);
            deleted = _store.DeletePeerAsync(id.Compact);
        }
        await deleted.ConfigureAwait(false);
        return true;
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
