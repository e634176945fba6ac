namespace Parley.Core.Videos.Probes;

/// <summary>
/// The MPEG-4 elementary stream descriptor (<c>esds</c>, ISO 14496-1): an ES_Descriptor holding a
/// DecoderConfigDescriptor (whose object type says which codec the stream really is) holding the
/// decoder specific info (for AAC, the AudioSpecificConfig, which says the real channels and rate).
/// </summary>
internal static class Esds
{
    private const byte EsDescriptorTag = 3, DecoderConfigTag = 4, DecoderSpecificTag = 5;

    private static readonly int[] AacRates = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

    public readonly record struct Config(int? ObjectType, int? Channels, int? SampleRate);

    /// <summary>Reads an <c>esds</c> full box body; whatever cannot be read is left null (the sample entry's own values stand).</summary>
    public static Config Read(ReadOnlySpan<byte> esds)
    {
        if (esds.Length < 4 || !TryDescriptor(esds[4..], out var tag, out var es) || tag != EsDescriptorTag || es.Length < 3)
        {
            return default;
        }
        // ES_ID (2), then flags: stream dependence adds 2 bytes, a URL its length + 1, an OCR stream 2.
        var flags = es[2];
        var at = 3 + ((flags & 0x80) != 0 ? 2 : 0);
        if ((flags & 0x40) != 0)
        {
            at += at < es.Length ? es[at] + 1 : es.Length;
        }
        at += (flags & 0x20) != 0 ? 2 : 0;
        if (at >= es.Length || !TryDescriptor(es[at..], out tag, out var decoder) || tag != DecoderConfigTag || decoder.Length < 13)
        {
            return default;
        }
        // Object type (1), stream type (1), buffer size (3), max bit rate (4), average bit rate (4), then the specific info.
        var objectType = decoder[0];
        if (decoder.Length > 13 && TryDescriptor(decoder[13..], out tag, out var specific) && tag == DecoderSpecificTag && Mp4Codecs.IsAac(objectType))
        {
            var (channels, rate) = AudioSpecificConfig(specific);
            return new Config(objectType, channels, rate);
        }
        return new Config(objectType, null, null);
    }

    /// <summary>A descriptor: tag (1), size in 1 to 4 bytes of 7 bits each (high bit: more follow), body.</summary>
    private static bool TryDescriptor(ReadOnlySpan<byte> span, out byte tag, out ReadOnlySpan<byte> body)
    {
        tag = 0;
        body = default;
        if (span.Length < 2)
        {
            return false;
        }
        tag = span[0];
        var size = 0;
        var at = 1;
        for (var i = 0; i < 4; i++, at++)
        {
            if (at >= span.Length)
            {
                return false;
            }
            size = (size << 7) | (span[at] & 0x7F);
            if ((span[at] & 0x80) == 0)
            {
                at++;
                break;
            }
        }
        if (size > span.Length - at)
        {
            return false;
        }
        body = span.Slice(at, size);
        return true;
    }

    /// <summary>AAC's AudioSpecificConfig: object type (5 bits, or 6 more after 31), rate index (4 bits, or a 24-bit rate after 15), channel configuration (4 bits).</summary>
    private static (int? Channels, int? Rate) AudioSpecificConfig(ReadOnlySpan<byte> config)
    {
        var bits = new BitReader(config);
        if (!bits.TryRead(5, out var objectType) || (objectType == 31 && !bits.TryRead(6, out _)) || !bits.TryRead(4, out var rateIndex))
        {
            return (null, null);
        }
        int? rate = null;
        if (rateIndex == 15)
        {
            rate = bits.TryRead(24, out var explicitRate) ? explicitRate : null;
        }
        else if (rateIndex < AacRates.Length)
        {
            rate = AacRates[rateIndex];
        }
        if (!bits.TryRead(4, out var configuration))
        {
            return (null, rate);
        }
        // 0: a program config element says (the sample entry's count stands); 7 is 7.1; 8–15 are not channel counts we know.
        int? channels = configuration switch
        {
            >= 1 and <= 6 => configuration,
            7 => 8,
            _ => null,
        };
        return (channels, rate);
    }

    private ref struct BitReader(ReadOnlySpan<byte> bytes)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;
        private int _bit;

        public bool TryRead(int count, out int value)
        {
            value = 0;
            if (_bit + count > _bytes.Length * 8)
            {
                return false;
            }
            for (var i = 0; i < count; i++, _bit++)
            {
                value = (value << 1) | ((_bytes[_bit / 8] >> (7 - (_bit % 8))) & 1);
            }
            return true;
        }
    }
}
