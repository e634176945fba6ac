using System.Buffers;

namespace Parley.Core.Links;

/// <summary>
/// Sits under a link's <see cref="System.Net.Security.SslStream"/> and gathers its writes until a flush:
/// SslStream writes each TLS record (16 KiB at most) to its inner stream on its own, so a 256 KiB file
/// block was about 16 <c>sendto</c> calls and reached the peer in as many pieces. Gathered, a batch of
/// the send loop leaves in one call per <see cref="DefaultBufferSize"/>. Only while <see cref="Gathering"/>:
/// the link turns it on once its send loop (the only writer, and it always flushes a batch) owns the
/// stream, and off before TLS's closing alert, so the handshake's and the alert's writes pass straight
/// through. Reads pass through.
/// </summary>
internal sealed class WriteGatherStream(Stream inner, int bufferSize = WriteGatherStream.DefaultBufferSize) : PassThroughStream(inner)
{
    /// <summary>The most gathered before a write. Defaults to 256 KiB (one file block).</summary>
    public const int DefaultBufferSize = 256 * 1024;

    private byte[]? _buffer;
    private int _length;
    private volatile bool _gathering;

    /// <summary>Whether writes wait for a flush. Turning it off writes out what is gathered (see <see cref="StopGatheringAsync"/>).</summary>
    public bool Gathering => _gathering;

    public void StartGathering() => _gathering = true;

    /// <summary>Stops gathering and writes out whatever a flush has not, so a write after it follows in order.</summary>
    public async ValueTask StopGatheringAsync(CancellationToken cancellationToken)
    {
        _gathering = false;
        await WriteGatheredAsync(cancellationToken).ConfigureAwait(false);
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        if (!_gathering)
        {
            await Inner.WriteAsync(source, cancellationToken).ConfigureAwait(false);
            return;
        }
        if (_length + source.Length > bufferSize)
        {
            await WriteGatheredAsync(cancellationToken).ConfigureAwait(false);
        }
        if (source.Length >= bufferSize)
        {
            await Inner.WriteAsync(source, cancellationToken).ConfigureAwait(false);
            return;
        }
        _buffer ??= ArrayPool<byte>.Shared.Rent(bufferSize);
        source.Span.CopyTo(_buffer.AsSpan(_length));
        _length += source.Length;
    }

    // Synchronous writes are not gathered: SslStream's async path is the link's; this keeps the contract whole.
    public override void Write(ReadOnlySpan<byte> source)
    {
        WriteGatheredAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
        Inner.Write(source);
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        await WriteGatheredAsync(cancellationToken).ConfigureAwait(false);
        await Inner.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public override void Flush() => FlushAsync(CancellationToken.None).GetAwaiter().GetResult();

    private async ValueTask WriteGatheredAsync(CancellationToken cancellationToken)
    {
        if (_length == 0 || _buffer is not { } buffer)
        {
            return;
        }
        var length = _length;
        _length = 0;
        _buffer = null;
        try
        {
            await Inner.WriteAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Returned after every write, so an idle link holds no buffer (a hub keeps thousands).
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
