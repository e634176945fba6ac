using Parley.Core.Identity;

namespace Parley.Node.Contacts;

/// <summary>A device the user could mean, and the names it goes by (none: reachable by ID or prefix only).</summary>
public sealed record PeerCandidate(DeviceId Id, params string[] Names);

/// <summary>
/// Turns what the user typed for a peer into a device ID: a full device ID, a unique prefix of
/// at least 8 characters, or a name (our alias or the peer's own name, ignoring case).
/// </summary>
public static class PeerResolver
{
    public const int MinPrefixLength = 8;

    public static DeviceId Resolve(string text, IEnumerable<PeerCandidate> candidates) => ResolveInTiers(text, [candidates]);

    /// <summary>
    /// As <see cref="Resolve"/>, with names matched tier by tier: the first tier where the name
    /// matches anyone decides (two there is ambiguous), so a later tier (a stranger's request, a
    /// device on the LAN) cannot shadow an earlier one (a contact) by taking its name. IDs and
    /// prefixes match across every tier.
    /// </summary>
    public static DeviceId ResolveInTiers(string text, IReadOnlyList<IEnumerable<PeerCandidate>> tiers)
    {
        if (DeviceId.TryParse(text, out var exact))
        {
            return exact;
        }
        var all = tiers.Select(t => t.ToList()).ToList();
        var normalized = DeviceId.Normalize(text);
        var matches = new HashSet<DeviceId>();
        if (normalized.Length >= MinPrefixLength)
        {
            matches.UnionWith(all.SelectMany(t => t).Where(c => c.Id.Compact.StartsWith(normalized, StringComparison.Ordinal)).Select(c => c.Id));
        }
        for (var tier = 0; matches.Count == 0 && tier < all.Count; tier++)
        {
            matches.UnionWith(all[tier].Where(c => c.Names.Any(n => n.Length > 0 && string.Equals(n, text, StringComparison.OrdinalIgnoreCase))).Select(c => c.Id));
        }
        return matches.Count switch
        {
            1 => matches.First(),
            0 => throw new PeerNotFoundException($"no peer matches '{text}' (give a name, a device ID, or 8+ characters of one)"),
            _ => throw new PeerNotFoundException(
                $"'{text}' matches {matches.Count} peers: {string.Join(", ", matches.Select(m => m.Short))}; give more of the device ID", ambiguous: true),
        };
    }
}

public sealed class PeerNotFoundException(string message, bool ambiguous = false) : Exception(message)
{
    public bool Ambiguous { get; } = ambiguous;
}
