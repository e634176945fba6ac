using System.Buffers;
using Parley.Core.Protocol;
using Parley.Core.Videos;
using Parley.Node.Links;

namespace Parley.Node.Videos;

/// <summary>Replies arriving for the viewer's requests; one nobody waits for (late, cancelled, forged or from another link) is dropped.</summary>
public sealed partial class VideoViewer
{
    /// <summary>A VideoList, VideoData or VideoError from an open session.</summary>
    internal void OnReply(PeerSession session, Frame frame)
    {
        var link = session.Link.Number;
        switch (frame.Type)
        {
            case FrameType.VideoList:
                var list = frame.Read<VideoList>();
                _lists.TryComplete((link, list.Request), list.Catalog);
                break;
            case FrameType.VideoData:
                var data = frame.Read<VideoData>();
                var chunk = VideoChunk.CopyOf(data);
                if (!_reads.TryComplete((link, data.Request), chunk))
                {
                    chunk.Dispose();
                }
                break;
            case FrameType.VideoError:
                var error = frame.Read<VideoError>();
                var refused = new VideoRefusedException(error);
                _ = _lists.Fail((link, error.Request), refused) || _reads.Fail((link, error.Request), refused);
                break;
            default:
                throw new ProtocolException($"unexpected {frame.Type} frame");
        }
    }
}

/// <summary>The bytes of one VideoData, in a pooled buffer that <see cref="Dispose"/> gives back.</summary>
internal sealed class VideoChunk : IDisposable
{
    private byte[]? _bytes;

    private VideoChunk(long offset, byte[] bytes, int length) => (Offset, _bytes, Length) = (offset, bytes, length);

    public long Offset { get; }

    public int Length { get; }

    public ReadOnlyMemory<byte> Memory => (_bytes ?? throw new ObjectDisposedException(nameof(VideoChunk))).AsMemory(0, Length);

    /// <summary>A copy of the frame's data, which is only valid while its handler runs.</summary>
    public static VideoChunk CopyOf(VideoData data)
    {
        var bytes = ArrayPool<byte>.Shared.Rent((int)data.Data.Length);
        data.Data.CopyTo(bytes);
        return new VideoChunk(data.Offset, bytes, (int)data.Data.Length);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _bytes, null) is { } bytes)
        {
            ArrayPool<byte>.Shared.Return(bytes);
        }
    }
}

/// <summary>The owner refused a request (a VideoError arrived): fails the request's wait.</summary>
internal sealed class VideoRefusedException(VideoError error) : Exception(error.Reason)
{
    public VideoError Error { get; } = error;
}
