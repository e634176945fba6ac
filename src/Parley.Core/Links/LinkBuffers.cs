using System.Buffers;

namespace Parley.Core.Links;

/// <summary>
/// The pools the link streams (<see cref="ReadAheadStream"/>, <see cref="WriteGatherStream"/>) rent their
/// buffers from. Not <see cref="ArrayPool{T}.Shared"/>: that pool keeps one buffer per thread and eight per
/// core, while a link holds its read buffer for as long as it has unread bytes and returns it on another
/// pool thread, so with hundreds of links busy at once most rents allocated and most returns were dropped
/// (the room fan-out bench's members: tens of MB a second in 32 KiB arrays; in 256 KiB ones on the large
/// object heap before <see cref="BufferSizeHint"/>). These are shared by every thread: small buffers, which
/// chat uses and a hub may have a thousand of out at once, up to <see cref="SmallKept"/> of each size;
/// the larger ones a transfer grows to, up to <see cref="LargeKept"/>. Only buffers that were once out
/// together are kept: at most 32 MiB of small ones and 28 MiB of large.
/// </summary>
internal static class LinkBuffers
{
    public const int SmallKept = 1024;
    public const int LargeKept = 64;

    private static readonly ArrayPool<byte> Small = ArrayPool<byte>.Create(BufferSizeHint.Smallest, SmallKept);
    private static readonly ArrayPool<byte> Large = ArrayPool<byte>.Create(ReadAheadStream.DefaultBufferSize, LargeKept);

    public static byte[] Rent(int size) => (size <= BufferSizeHint.Smallest ? Small : Large).Rent(size);

    public static void Return(byte[] buffer) => (buffer.Length <= BufferSizeHint.Smallest ? Small : Large).Return(buffer);
}
