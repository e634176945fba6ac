using System.Buffers.Binary;

namespace Parley.Cli.Calls;

/// <summary>
/// Opus packets into an Ogg Opus stream (RFC 7845 over RFC 3533), one packet a page, so ffmpeg can
/// put a call's received voice into a recording without decoding it. Each page's granule position
/// is where its packet ends on the sender's 48 kHz clock, so packets lost on the way leave a gap in
/// the timeline instead of pulling the rest forward out of step with the video.
/// <code>
/// page: "OggS" | version 0 | flags (2 first, 4 last) | granule i64 | serial u32 | sequence u32 | CRC u32 | n | n lacing bytes | data
/// </code>
/// </summary>
internal sealed class OggOpusWriter
{
    private const uint Serial = 0x7061726c; // any fixed number: the file holds one stream
    private const byte FirstPage = 0x02, LastPage = 0x04;
    private const int MaxPacket = (255 * 255) - 1; // what one page's 255 lacing values can carry
    private static readonly uint[] CrcTable = BuildCrcTable();
    private readonly Stream _output;
    private uint _sequence;
    private uint _lastTimestamp;
    private long _position = -1; // where the last packet's stamp puts it, in samples from the first; -1 before any
    private long _granule;
    private byte[]? _pending; // the newest packet, held until the next one (or Finish) says whether its page is the last

    public OggOpusWriter(Stream output)
    {
        _output = output;
        // OpusHead: version 1, one channel, no pre-skip, 48 kHz, no gain, channel mapping 0.
        var head = new byte[19];
        "OpusHead"u8.CopyTo(head);
        head[8] = 1;
        head[9] = 1;
        BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(12), 48_000);
        WritePage(head, 0, FirstPage);
        byte[] tags = [.. "OpusTags"u8, 6, 0, 0, 0, .. "parley"u8, 0, 0, 0, 0];
        WritePage(tags, 0, 0);
    }

    public int Packets { get; private set; }

    /// <summary>Adds a packet sent at <paramref name="timestamp"/> (48 kHz); false when it is malformed (and left out).</summary>
    public bool Write(uint timestamp, ReadOnlySpan<byte> packet)
    {
        var samples = Samples(packet);
        if (samples == 0 || packet.Length > MaxPacket)
        {
            return false;
        }
        // Signed distance from the last packet: the 32-bit clock may wrap in a long call.
        var stamped = _position < 0 ? 0 : _position + (int)(timestamp - _lastTimestamp);
        // A sender's stamps jitter (a terminal's are taken when ffmpeg hands packets over, several at
        // once), so a packet follows the last one directly unless its stamp is a whole packet or more
        // past it: only then is something missing, and the gap is kept. (Repeats never get here: the
        // media session drops them.)
        var start = stamped - _granule >= samples ? stamped : _granule;
        FlushPending(0);
        _lastTimestamp = timestamp;
        _position = stamped;
        _granule = start + samples;
        _pending = packet.ToArray();
        Packets++;
        return true;
    }

    /// <summary>Writes the last page, marked as the end of the stream.</summary>
    public void Finish() => FlushPending(LastPage);

    private void FlushPending(byte flags)
    {
        if (_pending is not null)
        {
            WritePage(_pending, _granule, flags);
            _pending = null;
        }
    }

    private void WritePage(ReadOnlySpan<byte> packet, long granule, byte flags)
    {
        var segments = (packet.Length / 255) + 1;
        var page = new byte[27 + segments + packet.Length];
        "OggS"u8.CopyTo(page);
        page[5] = flags;
        BinaryPrimitives.WriteInt64LittleEndian(page.AsSpan(6), granule);
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(14), Serial);
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(18), _sequence++);
        page[26] = (byte)segments;
        page.AsSpan(27, segments - 1).Fill(255);
        page[27 + segments - 1] = (byte)(packet.Length % 255);
        packet.CopyTo(page.AsSpan(27 + segments));
        BinaryPrimitives.WriteUInt32LittleEndian(page.AsSpan(22), Crc(page));
        _output.Write(page);
    }

    /// <summary>Samples (48 kHz) in an Opus packet, from its TOC byte (RFC 6716, 3.1); 0 if malformed.</summary>
    public static int Samples(ReadOnlySpan<byte> packet)
    {
        if (packet.IsEmpty)
        {
            return 0;
        }
        ReadOnlySpan<int> silk = [480, 960, 1920, 2880]; // 10, 20, 40, 60 ms
        ReadOnlySpan<int> celt = [120, 240, 480, 960]; // 2.5, 5, 10, 20 ms
        var config = packet[0] >> 3;
        var frame = config switch
        {
            < 12 => silk[config % 4],
            < 16 => silk[config % 2], // hybrid: 10, 20 ms
            _ => celt[config % 4],
        };
        var frames = (packet[0] & 3) switch
        {
            0 => 1,
            1 or 2 => 2,
            _ => packet.Length >= 2 ? packet[1] & 0x3F : 0,
        };
        return frame * frames;
    }

    // Ogg's CRC-32: polynomial 0x04C11DB7, most significant bit first, no reflection, starting at 0.
    private static uint Crc(ReadOnlySpan<byte> page)
    {
        var crc = 0u;
        foreach (var b in page)
        {
            crc = (crc << 8) ^ CrcTable[(byte)(crc >> 24) ^ b];
        }
        return crc;
    }

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (var i = 0u; i < 256; i++)
        {
            var r = i << 24;
            for (var bit = 0; bit < 8; bit++)
            {
                r = (r & 0x8000_0000) != 0 ? (r << 1) ^ 0x04C1_1DB7 : r << 1;
            }
            table[i] = r;
        }
        return table;
    }
}
