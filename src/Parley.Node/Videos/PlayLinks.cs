using System.Collections.Concurrent;
using System.Security.Cryptography;
using Parley.Core.Identity;

namespace Parley.Node.Videos;

/// <summary>
/// Local URLs for players other than the browser (mpv, VLC, ffplay), which cannot carry a session
/// cookie: the token in the path is the credential. A link must be opened within two minutes and
/// dies after ten minutes without a request, when stopped, or when the node stops (they live only
/// in memory). Stopping a link also ends the streams it is serving.
/// </summary>
public sealed class PlayLinks(TimeProvider time)
{
    public static readonly TimeSpan FirstUseWithin = TimeSpan.FromMinutes(2);
    public static readonly TimeSpan IdleLimit = TimeSpan.FromMinutes(10);
    private readonly ConcurrentDictionary<string, PlayLink> _links = new(StringComparer.Ordinal);

    public sealed class PlayLink(DeviceId peer, VideoVariant variant, DateTimeOffset created)
    {
        private readonly CancellationTokenSource _stopped = new();

        public DeviceId Peer => peer;
        public VideoVariant Variant => variant;
        public DateTimeOffset Created => created;
        public DateTimeOffset? LastUsed { get; set; }
        public CancellationToken Stopped => _stopped.Token;

        internal void Stop()
        {
            _stopped.Cancel();
            _stopped.Dispose();
        }
    }

    public string Create(DeviceId peer, VideoVariant variant)
    {
        var token = Base64Url(RandomNumberGenerator.GetBytes(32));
        _links[token] = new PlayLink(peer, variant, time.GetUtcNow());
        return token;
    }

    /// <summary>The link for a token, marked as used now; null when unknown, stopped or expired.</summary>
    public PlayLink? Use(string token)
    {
        if (!_links.TryGetValue(token, out var link))
        {
            return null;
        }
        var now = time.GetUtcNow();
        var expired = link.LastUsed is { } last ? now - last > IdleLimit : now - link.Created > FirstUseWithin;
        if (expired)
        {
            Stop(token);
            return null;
        }
        link.LastUsed = now;
        return link;
    }

    public bool Stop(string token)
    {
        if (_links.TryRemove(token, out var link))
        {
            link.Stop();
            return true;
        }
        return false;
    }

    /// <summary>Stops every link; returns how many there were.</summary>
    public int StopAll() => _links.Keys.Count(Stop);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
