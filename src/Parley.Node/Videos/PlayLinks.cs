using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Parley.Core.Identity;
using Parley.Core.Videos;

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

    [SuppressMessage("Reliability", "CA1001", Justification = "Stopped stays readable after the stop; a token source without a timer holds nothing to release")]
    public sealed class PlayLink(DeviceId peer, VideoVariant variant, TimeProvider time)
    {
        private readonly CancellationTokenSource _stopped = new();
        private readonly TimeProvider _time = time;
        private int _streaming;

        public DeviceId Peer => peer;
        public VideoVariant Variant => variant;
        public DateTimeOffset Created { get; } = time.GetUtcNow();
        public DateTimeOffset? LastUsed { get; set; }
        public CancellationToken Stopped => _stopped.Token;

        /// <summary>A player is reading through the link now: it is not idle, however long one request lasts.</summary>
        public bool Streaming => Volatile.Read(ref _streaming) > 0;

        /// <summary>Marks a request as running until the returned handle is disposed (which counts as use).</summary>
        public IDisposable BeginStream()
        {
            Interlocked.Increment(ref _streaming);
            return new StreamEnd(this);
        }

        private sealed class StreamEnd(PlayLink link) : IDisposable
        {
            private int _done;

            public void Dispose()
            {
                if (Interlocked.Exchange(ref _done, 1) == 0)
                {
                    link.LastUsed = link._time.GetUtcNow();
                    Interlocked.Decrement(ref link._streaming);
                }
            }
        }

        // Not disposed: Stopped stays readable after the stop (it has no timer to release).
        internal void Stop() => _stopped.Cancel();
    }

    public string Create(DeviceId peer, VideoVariant variant)
    {
        var token = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        _links[token] = new PlayLink(peer, variant, time);
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
        var expired = !link.Streaming && (link.LastUsed is { } last ? now - last > IdleLimit : now - link.Created > FirstUseWithin);
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
}
