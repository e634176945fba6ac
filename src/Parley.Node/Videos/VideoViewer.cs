using System.Collections.Concurrent;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Core.Videos;
using Parley.Node.Contacts;
using Parley.Node.Links;

namespace Parley.Node.Videos;

/// <summary>
/// The viewer's side: lists a peer's library and copies byte ranges to the local player through a
/// window of a few reads in flight, keeping nothing but that window (<c>VideoViewer.Copy.cs</c>).
/// Each exchange has its own <see cref="RequestTracker{TKey, TReply}"/>, keyed by link and request,
/// so a reply counts only from the link the request went out on (<c>VideoViewer.Replies.cs</c>).
/// </summary>
public sealed partial class VideoViewer(IPeerSessions sessions, ContactBook contacts, TimeProvider time, NodeOptions? options = null) : IDisposable
{
    private static readonly TimeSpan ReplyTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan RelinkPatience = TimeSpan.FromSeconds(5);
    private readonly RequestTracker<(long Link, uint Request), VideoCatalog> _lists = new(time);
    private readonly RequestTracker<(long Link, uint Request), VideoChunk> _reads = new(time);
    private readonly RequestIds _ids = new();
    private readonly ConcurrentDictionary<DeviceId, VideoCatalog> _catalogs = new();
    private readonly Dictionary<DeviceId, Task<VideoCatalog>> _listing = [];
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>
    /// Asks a contact for its library and keeps the answer, whose IDs later reads use. Callers asking
    /// while a list request to that contact is out share its answer: an owner answers one list at a
    /// time per peer and refuses a second as busy.
    /// </summary>
    public Task<VideoCatalog> ListAsync(DeviceId peer, CancellationToken cancellationToken = default)
    {
        Task<VideoCatalog> listing;
        lock (_listing)
        {
            if (!_listing.TryGetValue(peer, out listing!))
            {
                listing = _listing[peer] = ListOnceAsync(peer); // sends before it returns: no await comes before the request is out
                _ = listing.ContinueWith(done =>
                {
                    lock (_listing)
                    {
                        if (_listing.TryGetValue(peer, out var current) && current == done)
                        {
                            _listing.Remove(peer);
                        }
                    }
                }, CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default);
            }
        }
        return listing.WaitAsync(cancellationToken);
    }

    private async Task<VideoCatalog> ListOnceAsync(DeviceId peer)
    {
        var stopping = _stopping.Token;
        for (var (link, attempt) = (OpenLink(peer), 1); ; link = await RelinkAsync(peer, link, attempt++, stopping).ConfigureAwait(false))
        {
            using var asking = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            var request = _ids.Next();
            var reply = _lists.SendAsync((link.Number, request),
                () => link.TrySend(FrameType.VideoListRequest, new VideoRequestId(request).ToArray()), ReplyTimeout, asking.Token);
            try
            {
                if (await AnswerAsync(link, reply, " ").ConfigureAwait(false) is { } catalog)
                {
                    _catalogs[peer] = catalog;
                    return catalog;
                }
            }
            finally
            {
                await asking.CancelAsync().ConfigureAwait(false); // a request the lost link never answered stops waiting
            }
        }
    }

    /// <summary>A variant from the peer's latest list (listing it first if it was never listed).</summary>
    public async Task<VideoVariant> FindAsync(DeviceId peer, string id, CancellationToken cancellationToken = default)
    {
        var catalog = _catalogs.TryGetValue(peer, out var known) ? known : await ListAsync(peer, cancellationToken).ConfigureAwait(false);
        return catalog.FindVariant(id)
            ?? throw new VideoException($"no video '{Printable(id)}' in this peer's library (IDs come from its list and change when it restarts)", 404);
    }

    /// <summary>
    /// The reply to a request sent on <paramref name="link"/>, or null when the link closed first (the
    /// caller goes on over the next one). A refusal or silence becomes a <see cref="VideoException"/>
    /// that names the peer, then <paramref name="separator"/>, then why.
    /// </summary>
    private static async Task<T?> AnswerAsync<T>(IPeerLink link, Task<T> reply, string separator) where T : class
    {
        if (await Task.WhenAny(reply, link.Closed).ConfigureAwait(false) != reply)
        {
            return null;
        }
        try
        {
            return await reply.ConfigureAwait(false);
        }
        catch (VideoRefusedException refused)
        {
            throw new VideoException(link.RemoteHello.Name + separator + refused.Error.Reason, StatusFor(refused.Error.Code));
        }
        catch (TimeoutException)
        {
            throw new VideoException($"{link.RemoteHello.Name}{separator}did not answer within {ReplyTimeout.TotalSeconds:0} s", 503);
        }
    }

    /// <summary>The HTTP status for a refusal: not shared with you 403, no such video 404, anything else 503.</summary>
    private static int StatusFor(VideoRefusal code) => code switch
    {
        VideoRefusal.NotSharing or VideoRefusal.NotShared => 403,
        VideoRefusal.UnknownVideo => 404,
        _ => 503,
    };

    /// <summary>
    /// The peer's next open link after <paramref name="lost"/> closed, waiting up to <see cref="RelinkPatience"/>;
    /// three tries in all. A link this node closed for breaking the protocol is not waited for: the peer sent garbage.
    /// </summary>
    private async Task<IPeerLink> RelinkAsync(DeviceId peer, IPeerLink lost, int attempt, CancellationToken cancellationToken)
    {
        if (lost.Closed is { IsCompletedSuccessfully: true, Result: { ByRemote: false, Code: CloseCode.ProtocolError } broken })
        {
            throw new VideoException($"{lost.RemoteHello.Name} broke the protocol ({broken.Reason})", 503);
        }
        var deadline = time.GetUtcNow() + RelinkPatience;
        while (true)
        {
            if (sessions.Session(peer) is { IsOpen: true } session && session.Link != lost)
            {
                return session.Link;
            }
            if (time.GetUtcNow() > deadline || attempt >= 3)
            {
                throw new VideoException($"{lost.RemoteHello.Name} went offline", 503);
            }
            await Task.Delay(TimeSpan.FromMilliseconds(50), time, cancellationToken).ConfigureAwait(false);
        }
    }

    private IPeerLink OpenLink(DeviceId peer) =>
        sessions.Session(peer) is { IsOpen: true } session ? session.Link
            : throw new VideoException($"{contacts.Find(peer)?.DisplayName ?? peer.Short} is not online", 503);

    private static string Printable(string text) => new([.. text.Take(40).Select(c => char.IsControl(c) ? '?' : c)]);

    /// <summary>Ends every list and copy under way (the node is stopping).</summary>
    internal void Stop() => _stopping.Cancel();

    public void Dispose()
    {
        _stopping.Dispose();
        foreach (var turns in _fetching.Values)
        {
            turns.Dispose();
        }
    }
}
