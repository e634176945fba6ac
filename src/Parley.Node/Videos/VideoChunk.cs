using System.Buffers;
using Parley.Core.Videos;

namespace Parley.Node.Videos;

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
