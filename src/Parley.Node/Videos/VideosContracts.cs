using Parley.Core.Identity;
using Parley.Core.Videos;

namespace Parley.Node.Videos;

/// <summary>Body of <c>POST /api/videos/share</c>.</summary>
public sealed record ShareRequest(string? Folder);

/// <summary>Body of <c>POST /api/videos/access</c>: <see cref="Peer"/> empty or <c>all</c> sets the rule for every contact.</summary>
public sealed record VideoAccessRequest(string? Peer, bool Allowed);

/// <summary>Body of <c>POST /api/play</c>: <see cref="Res"/> such as <c>480p</c>, or the highest when empty.</summary>
public sealed record PlayRequest(string? Peer, string? Title, string? Res, string? Variant = null);

/// <summary>What this node shares and with whom, and how busy serving is (<c>GET /api/videos</c> and the changes).</summary>
public sealed record VideoSharingStatus(string? Folder, bool Everyone, IReadOnlyDictionary<string, bool> Rules, int Titles, int Files, int Unreadable,
    long BytesServed, int ActiveReads, int PeakReads, int ActiveStreams);

/// <summary>A peer's library (<c>GET /api/peers/{peer}/videos</c>), each variant with the local URL that streams it.</summary>
public sealed record PeerVideoLibrary(string DeviceId, IReadOnlyList<PeerVideoTitle> Titles, IReadOnlyList<UnreadableVideo> Unreadable, bool Truncated)
{
    public static PeerVideoLibrary Of(DeviceId peer, VideoCatalog catalog) => new(peer.ToString(),
        [.. catalog.Titles.Select(t => new PeerVideoTitle(t.Title, [.. t.Variants.Select(v => PeerVideo.Of(peer, v))]))],
        catalog.Unreadable, catalog.Truncated);
}

public sealed record PeerVideoTitle(string Title, IReadOnlyList<PeerVideo> Variants);

/// <summary>
/// A variant of a peer's title as the API shows it: the catalog's facts and <see cref="Stream"/>, its path under the API;
/// <see cref="Thumbnail"/> is the path of its poster frame (a JPEG), or null when the owner has none yet.
/// </summary>
public sealed record PeerVideo(string Id, string File, long Size, string Container, double? Duration, string VideoCodec, int Width, int Height,
    string? AudioCodec, int? Channels, int? SampleRate, string Label, long? Bitrate, string MimeType, string Stream,
    int StoredWidth = 0, int StoredHeight = 0, int Rotation = 0, bool Complete = true, string? Thumbnail = null)
{
    public static PeerVideo Of(DeviceId peer, VideoVariant v) => new(v.Id, v.File, v.Size, v.Container, v.Duration, v.VideoCodec, v.Width, v.Height,
        v.AudioCodec, v.Channels, v.SampleRate, v.Label, v.Bitrate, v.MimeType, $"/api/peers/{peer.Compact}/videos/{v.Id}",
        v.StoredWidth, v.StoredHeight, v.Rotation, v.Complete, v.Thumbnail is null ? null : $"/api/peers/{peer.Compact}/videos/{v.Id}/thumbnail");
}

/// <summary>A play link made (<c>POST /api/play</c>): the URL to hand to a player, and what it plays.</summary>
public sealed record PlayLinkCreated(string Url, string File, string Label, PeerVideo Variant);

/// <summary>How many play links <c>DELETE /api/play</c> ended.</summary>
public sealed record PlayLinksStopped(int Stopped);
