using System.Collections.Concurrent;
using System.Security.Cryptography;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Core.Videos;
using Parley.Node.Videos.Thumbnails;

namespace Parley.Node.Videos;

/// <summary>
/// Fetching a peer's poster frames. The bytes are untrusted and never decoded here: they are kept only
/// when they hash to the ID the catalog gave and start as a JPEG does, then served to the page as
/// <c>image/jpeg</c> (<see cref="VideosEndpoints"/>). Fetched frames are kept in <c>thumbnails/seen</c>
/// of the home by ID, so a frame is fetched once whoever shares it. A few fetches run at a time per
/// peer, so a peer that answers slowly (or never, until the timeout) holds up only its own frames.
/// </summary>
public sealed partial class VideoViewer
{
    /// <summary>Poster frames fetched at once from one peer: a page asks for a whole library's at once.</summary>
    public const int ThumbnailFetchesPerPeer = 4;

    private readonly RequestTracker<(long Link, uint Request), byte[]> _thumbnails = new(time);
    private readonly ConcurrentDictionary<DeviceId, SemaphoreSlim> _fetching = new();
    private readonly ThumbnailFiles? _seen = options is null ? null : new ThumbnailFiles(Path.Combine(options.Home, "thumbnails", "seen"));

    /// <summary>The poster frame of a peer's variant, or null when the owner has none for it.</summary>
    public async Task<byte[]?> ThumbnailAsync(DeviceId peer, string video, CancellationToken cancellationToken = default)
    {
        if ((await FindAsync(peer, video, cancellationToken).ConfigureAwait(false)).Thumbnail is not { } id)
        {
            return null;
        }
        if (_seen?.TryRead(id + ".jpg", VideoThumbnail.MaxBytes) is { } kept)
        {
            return kept;
        }
        var turns = _fetching.GetOrAdd(peer, _ => new SemaphoreSlim(ThumbnailFetchesPerPeer));
        await turns.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var jpeg = await FetchAsync(peer, id).WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                _seen?.Write(id + ".jpg", jpeg);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // A full or read-only disk: the page still gets the frame, fetched again next time.
            }
            return jpeg;
        }
        finally
        {
            turns.Release();
        }
    }

    private async Task<byte[]> FetchAsync(DeviceId peer, string id)
    {
        var stopping = _stopping.Token;
        for (var (link, attempt) = (OpenLink(peer), 1); ; link = await RelinkAsync(peer, link, attempt++, stopping).ConfigureAwait(false))
        {
            var request = _ids.Next();
            var reply = _thumbnails.SendAsync((link.Number, request),
                () => link.TrySend(FrameType.VideoThumbnailRequest, new VideoThumbnailRequest(request, id).ToArray()), ReplyTimeout, stopping);
            if (await AnswerAsync(link, reply, ": ").ConfigureAwait(false) is not { } jpeg)
            {
                continue;
            }
            return IsFrame(jpeg, id) ? jpeg
                : throw new VideoException($"{link.RemoteHello.Name} sent a thumbnail that is not the one its list named", 502);
        }
    }

    /// <summary>What the catalog promised: bytes with the SHA-256 it gave, starting with a JPEG's start-of-image marker.</summary>
    internal static bool IsFrame(byte[] bytes, string id) =>
        bytes is [0xFF, 0xD8, 0xFF, ..] && Convert.ToHexStringLower(SHA256.HashData(bytes)) == id;
}
