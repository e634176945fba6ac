using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Identity;

namespace Parley.Node.Files;

/// <summary>
/// The transfers this node knows, by ID: every unfinished one and the most recent finished ones
/// (loaded at start; older ones stay in the store only), in both directions.
/// </summary>
internal sealed class TransferBook
{
    /// <summary>Fewest hex digits of an ID that pick a transfer: shorter prefixes would match too often. 4.</summary>
    public const int MinPrefix = 4;

    private readonly ConcurrentDictionary<Guid, Transfer> _transfers = new();

    /// <summary>Newest first.</summary>
    public IReadOnlyList<Transfer> All => [.. _transfers.Values.OrderByDescending(t => t.CreatedAt)];

    /// <summary>Every transfer, in no order (for the background loops, which look at each once).</summary>
    public ICollection<Transfer> Unordered => _transfers.Values;

    public void Add(Transfer transfer) => _transfers[transfer.Id] = transfer;

    /// <summary>Any peer's transfer <paramref name="id"/>: for the person's own calls; a frame's lookup goes through <see cref="With"/>.</summary>
    public bool TryGet(Guid id, [MaybeNullWhen(false)] out Transfer transfer) => _transfers.TryGetValue(id, out transfer);

    /// <summary>The transfer <paramref name="id"/> if <paramref name="peer"/> is its other side: a peer never reaches another's transfers.</summary>
    public Transfer? With(DeviceId peer, Guid id) =>
        _transfers.TryGetValue(id, out var transfer) && transfer.Peer == peer.Compact ? transfer : null;

    /// <summary>The unfinished transfers with <paramref name="peer"/>, oldest first (the order they resume in).</summary>
    public IReadOnlyList<Transfer> UnfinishedWith(DeviceId peer) =>
        [.. _transfers.Values.Where(t => t.Peer == peer.Compact && !t.IsFinal).OrderBy(t => t.CreatedAt)];

    /// <summary>
    /// The transfer whose ID or short ID (<see cref="Transfer.ShortId"/>, the one listings show)
    /// starts with <paramref name="prefix"/> (at least <see cref="MinPrefix"/> hex digits, dashes and
    /// case ignored), as a person types it from a listing.
    /// </summary>
    public Transfer Find(string prefix)
    {
        var wanted = prefix.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
        var matches = wanted.Length < MinPrefix ? []
            : _transfers.Values.Where(t => t.Id.ToString("N").StartsWith(wanted, StringComparison.Ordinal) || t.ShortId.StartsWith(wanted, StringComparison.Ordinal)).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new TransferException($"no transfer or offer has an ID starting with '{prefix}'"),
            _ => throw new TransferException($"'{prefix}' matches {matches.Count} transfers; give more of the ID"),
        };
    }
}
