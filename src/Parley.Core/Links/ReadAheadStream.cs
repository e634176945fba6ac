using System.Buffers;

namespace Parley.Core.Links;

/// <summary>
/// Sits under a link's <see cref="System.Net.Security.SslStream"/> so the socket is read in large pieces:
/// SslStream asks its inner stream for one TLS record (16 KiB) at a time, often in two reads, which made
/// about 130,000 <c>recvfrom</c> calls a GiB. Here one read takes whatever the socket holds, up to
/// the buffer's size, and serves SslStream's small reads from it. Writes pass straight through: the
/// link's send loop writes while its receive loop reads, and .NET's <see cref="BufferedStream"/> cannot
/// be shared that way. The buffer is rented only while it holds unread bytes, so an idle link (zero-byte
/// reads, a hub keeps thousands) holds none.
/// </summary>
internal sealed class ReadAheadStream(Stream inner, int bufferSize = ReadAheadStream.DefaultBufferSize) : PassThroughStream(inner)
{
    /// <summary>The most read from the socket at once. Defaults to 256 KiB (one file block).</summary>
    public const int DefaultBufferSize = 256 * 1024;

    // Rented while it holds unread bytes; on dispose it is left to the collector, not returned to the pool: a read may still be filling it.
    private byte[]? _buffer;
    private int _start;
    private int _end;

    public override async ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (_start == _end)
        {
            if (destination.Length == 0 || destination.Length >= bufferSize)
            {
                // A zero-byte read waits for data without holding a buffer; a big one needs no copy.
                return await Inner.ReadAsync(destination, cancellationToken).ConfigureAwait(false);
            }
            var buffer = _buffer ??= ArrayPool<byte>.Shared.Rent(bufferSize);
            int read;
            try
            {
                read = await Inner.ReadAsync(buffer.AsMemory(0, bufferSize), cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                Release();
                throw;
            }
            Filled(read);
        }
        return Take(destination.Span);
    }

    public override int Read(Span<byte> destination)
    {
        if (_start == _end)
        {
            if (destination.Length == 0 || destination.Length >= bufferSize)
            {
                return Inner.Read(destination);
            }
            var buffer = _buffer ??= ArrayPool<byte>.Shared.Rent(bufferSize);
            int read;
            try
            {
                read = Inner.Read(buffer.AsSpan(0, bufferSize));
            }
            catch
            {
                Release();
                throw;
            }
            Filled(read);
        }
        return Take(destination);
    }

    private void Filled(int read)
    {
        if (read <= 0)
        {
            Release();
            return;
        }
        _start = 0;
        _end = read;
    }

    private int Take(Span<byte> destination)
    {
        var count = Math.Min(destination.Length, _end - _start);
        if (count == 0)
        {
            return 0;
        }
        _buffer.AsSpan(_start, count).CopyTo(destination);
        _start += count;
        if (_start == _end)
        {
            Release();
        }
        return count;
    }

    private void Release()
    {
        if (_buffer is { } buffer)
        {
            _buffer = null;
            _start = _end = 0;
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
