using System.Buffers.Binary;

namespace Parley.Cli.Calls;

/// <summary>
/// The two containers ffmpeg speaks on a pipe that carry one encoded frame at a time: IVF for VP8
/// (a 32-byte file header, then per frame a 12-byte header: size u32 LE, timestamp u64 LE) and Ogg
/// for Opus (pages of segments; the first two packets are the Opus headers). Readers yield frames
/// as they arrive; the IVF writer feeds a recording back to ffmpeg.
/// </summary>
internal static class MediaContainers
{
    public const int MaxFrame = 1 << 20;

    /// <summary>VP8 frames with their timestamp (converted from the file's time base to 90 kHz) and keyframe flag.</summary>
    public static async IAsyncEnumerable<(long Timestamp, bool Keyframe, byte[] Data)> ReadIvfAsync(Stream input, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var header = new byte[32];
        if (!await FillAsync(input, header, cancellationToken).ConfigureAwait(false) || !header.AsSpan(0, 4).SequenceEqual("DKIF"u8))
        {
            yield break;
        }
        // Time base: denominator (rate) at 16, numerator (scale) at 20.
        var (rate, scale) = (BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(16)), BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(20)));
        if (rate == 0 || scale == 0)
        {
            yield break;
        }
        var frameHeader = new byte[12];
        while (await FillAsync(input, frameHeader, cancellationToken).ConfigureAwait(false))
        {
            var size = BinaryPrimitives.ReadInt32LittleEndian(frameHeader);
            if (size is <= 0 or > MaxFrame)
            {
                yield break;
            }
            var data = new byte[size];
            if (!await FillAsync(input, data, cancellationToken).ConfigureAwait(false))
            {
                yield break;
            }
            // VP8: bit 0 of the first byte is 0 on a keyframe (RFC 6386, 9.1).
            var timestamp = (long)((Int128)BinaryPrimitives.ReadInt64LittleEndian(frameHeader.AsSpan(4)) * 90_000 * scale / rate);
            yield return (timestamp, (data[0] & 1) == 0, data);
        }
    }

    /// <summary>Opus packets from an Ogg stream, headers skipped.</summary>
    public static async IAsyncEnumerable<byte[]> ReadOggOpusAsync(Stream input, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pageHeader = new byte[27];
        var packet = new MemoryStream();
        var seen = 0;
        while (await FillAsync(input, pageHeader, cancellationToken).ConfigureAwait(false) && pageHeader.AsSpan(0, 4).SequenceEqual("OggS"u8))
        {
            var lacing = new byte[pageHeader[26]];
            if (!await FillAsync(input, lacing, cancellationToken).ConfigureAwait(false))
            {
                yield break;
            }
            foreach (var segment in lacing)
            {
                var bytes = new byte[segment];
                if (!await FillAsync(input, bytes, cancellationToken).ConfigureAwait(false))
                {
                    yield break;
                }
                packet.Write(bytes);
                if (segment < 255)
                {
                    if (++seen > 2 && packet.Length > 0)
                    {
                        yield return packet.ToArray();
                    }
                    packet.SetLength(0);
                }
            }
        }
    }

    public static void WriteIvfHeader(Stream output, int width, int height, int timebaseDenominator)
    {
        var header = new byte[32];
        "DKIF"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(6), 32);
        "VP80"u8.CopyTo(header.AsSpan(8));
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(12), (ushort)width);
        BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(14), (ushort)height);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(16), timebaseDenominator);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(20), 1);
        output.Write(header);
    }

    public static void WriteIvfFrame(Stream output, long timestamp, ReadOnlySpan<byte> data)
    {
        Span<byte> header = stackalloc byte[12];
        BinaryPrimitives.WriteInt32LittleEndian(header, data.Length);
        BinaryPrimitives.WriteInt64LittleEndian(header[4..], timestamp);
        output.Write(header);
        output.Write(data);
    }

    /// <summary>The picture size in a VP8 keyframe's header, or null if it is not one.</summary>
    public static (int Width, int Height)? Vp8KeyframeSize(ReadOnlySpan<byte> frame) =>
        frame.Length >= 10 && (frame[0] & 1) == 0 && frame[3] == 0x9d && frame[4] == 0x01 && frame[5] == 0x2a
            ? (BinaryPrimitives.ReadUInt16LittleEndian(frame[6..]) & 0x3FFF, BinaryPrimitives.ReadUInt16LittleEndian(frame[8..]) & 0x3FFF)
            : null;

    private static async Task<bool> FillAsync(Stream input, byte[] buffer, CancellationToken cancellationToken) =>
        await input.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false) == buffer.Length;
}
