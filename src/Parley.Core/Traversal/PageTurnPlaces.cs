namespace Parley.Core.Traversal;

/// <summary>
/// Which place (relayed port) a call's new page allocation takes. A call has a few places; a page that reloads
/// allocates again without releasing the old one, so without this a page reloaded that many times could not
/// rejoin. The rule: the lowest place no live allocation holds (one released or past its lifetime holds none);
/// when all are held, the place of the allocation idle longest, if it has been idle at least
/// <see cref="IdleBeforeEviction"/> (a live page sends ICE consent checks every few seconds, RFC 7675, so a
/// page quiet that long is gone). Only a request signed with the call's password gets here, so a stranger can
/// neither take a place nor evict one.
/// </summary>
public static class PageTurnPlaces
{
    /// <summary>How long an allocation must have heard nothing before a new one may take its place.</summary>
    public static readonly TimeSpan IdleBeforeEviction = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The port for a new allocation among <paramref name="count"/> places from <paramref name="first"/>, given the
    /// allocations the call holds; <paramref name="evicted"/> is the one to forget first, if any. Null: every place is
    /// held by an allocation still in use.
    /// </summary>
    public static int? Choose(IReadOnlyCollection<PageTurnAllocation> held, int first, int count, out PageTurnAllocation? evicted)
    {
        evicted = null;
        var live = held.Where(a => !a.IsExpired).ToList();
        var taken = live.Select(a => a.Relayed.Port).ToHashSet();
        for (var port = first; port < first + count; port++)
        {
            if (!taken.Contains(port))
            {
                return port;
            }
        }
        var quietest = live.MaxBy(a => a.Idle);
        if (quietest is null || quietest.Idle < IdleBeforeEviction)
        {
            return null;
        }
        evicted = quietest;
        return quietest.Relayed.Port;
    }
}
