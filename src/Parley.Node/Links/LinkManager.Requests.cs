using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Storage;

namespace Parley.Node.Links;

public sealed partial class LinkManager
{
    private readonly SemaphoreSlim _requestGate = new(1, 1);

    /// <summary>
    /// Whether we hold the peer as a contact, and so what its link may queue: until we accept it, a
    /// stranger's budget (<see cref="PeerLink.Stranger"/>), for it is owed nothing but pongs and a close.
    /// </summary>
    private static void SetLocalAccepts(PeerSession session, bool accepts)
    {
        session.LocalAccepts = accepts;
        if (session.Link is PeerLink link)
        {
            link.Stranger = !accepts;
        }
    }

    /// <summary>
    /// Stores (or refreshes) the request of <paramref name="session"/>'s device, making room first: past
    /// <see cref="NodeOptions.MaxRequestLinks"/> the oldest request link is closed (its request stays
    /// listed), past <see cref="NodeOptions.MaxRequests"/> the request heard from longest ago is
    /// dropped (its link closed). So a flood of throwaway identities replaces older requests instead
    /// of growing the store and the link table; a real requester dials again (we are its contact).
    /// </summary>
    private async Task<PeerRecord> StoreRequestAsync(PeerSession session, Func<PeerRecord, PeerRecord> change)
    {
        await _requestGate.WaitAsync().ConfigureAwait(false);
        try
        {
            var openLinks = _sessions.Values
                .Where(s => s != session && !s.LocalAccepts && !s.Link.IsClosed)
                .OrderBy(s => s.Link.Number)
                .ToList();
            foreach (var oldest in openLinks.Take(openLinks.Count + 1 - _options.MaxRequestLinks))
            {
                LinkManagerLog.RequestDropped(_logger, oldest.Id.Short, "link closed: too many request links open");
                _ = oldest.Link.CloseAsync(CloseCode.Normal, "too many requests waiting here: your request is kept, but not this link");
            }
            if (_contacts.Find(session.Id) is null)
            {
                var stored = _contacts.All
                    .Where(r => r.State == PeerState.Request)
                    .OrderBy(r => r.LastSeen ?? r.CreatedAt)
                    .ToList();
                foreach (var oldest in stored.Take(stored.Count + 1 - _options.MaxRequests))
                {
                    var id = DeviceId.Parse(oldest.DeviceId);
                    if (await _contacts.RemoveAsync(id, r => r.State == PeerState.Request).ConfigureAwait(false))
                    {
                        LinkManagerLog.RequestDropped(_logger, id.Short, "request dropped: too many requests stored");
                        if (Session(id) is { } dropped)
                        {
                            _ = dropped.Link.CloseAsync(CloseCode.Normal, "too many requests waiting here: yours was dropped");
                        }
                    }
                }
            }
            return await _contacts.UpdateAsync(session.Id, change).ConfigureAwait(false);
        }
        finally
        {
            _requestGate.Release();
        }
    }
}
