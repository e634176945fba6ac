namespace Parley.Core.Videos.Probes;

/// <summary>
/// The picture of a video file: its codec and stored size in pixels, how players turn it
/// (<see cref="Rotation"/>, as ffprobe reports a display matrix: 0, 90, 180 or 270) and stretch it
/// (<see cref="PixelAspect"/>, width over height of one pixel).
/// </summary>
public sealed record VideoTrack(string Codec, int Width, int Height)
{
    public int Rotation { get; init; }

    public (int Width, int Height) PixelAspect { get; init; } = (1, 1);

    /// <summary>The size players show: stretched by the pixel aspect (width only, as ffmpeg does), then turned.</summary>
    public (int Width, int Height) Display
    {
        get
        {
            var width = PixelAspect.Width > 0 && PixelAspect.Height > 0
                ? (int)Math.Min(Math.Round((double)Width * PixelAspect.Width / PixelAspect.Height), 65535)
                : Width;
            return Rotation is 90 or 270 ? (Height, width) : (width, Height);
        }
    }

    /// <summary>An angle in degrees as one of 0, 90, 180, 270 (the nearest quarter turn).</summary>
    public static int NormalRotation(double degrees)
    {
        var quarter = (int)Math.Round(degrees / 90);
        return ((quarter % 4) + 4) % 4 * 90;
    }
}

/// <summary>The sound of a video file: its codec, channel count and sample rate.</summary>
public sealed record AudioTrack(string Codec, int Channels, int SampleRate);

/// <summary>
/// What a file's container headers say about it. <see cref="Duration"/> is null when the headers do not
/// give one; a file cut short after whole headers is not <see cref="Complete"/> but plays its first part.
/// </summary>
public sealed record VideoFacts(string Container, TimeSpan? Duration, VideoTrack? Video, AudioTrack? Audio)
{
    public bool Complete { get; init; } = true;
}

/// <summary>The result of probing one file: facts, or why it could not be read as a video.</summary>
public sealed record ProbeResult(VideoFacts? Facts, string? Error)
{
    public bool Readable => Facts is not null;
}

/// <summary>A header that is truncated, inconsistent or too big to trust.</summary>
public sealed class MediaFormatException(string message) : Exception(message);

/// <summary>
/// Reads a video's facts from its container headers: ISO BMFF (MP4, MOV: the <c>moov</c> box) or
/// Matroska/WebM (the EBML header, segment Info and Tracks). Only headers are read, never the
/// media data, and every size is checked against its parent and the file before anything is
/// allocated, so a hostile or truncated file yields an error result rather than an exception.
/// </summary>
public static class VideoProbe
{
    /// <summary>Largest header body read into memory (an MP4 <c>moov</c>, Matroska Info or Tracks): 64 MiB.</summary>
    public const int MaxHeaderBytes = 64 << 20;

    /// <summary>Deepest box or element nesting followed.</summary>
    public const int MaxDepth = 12;

    public static ProbeResult Probe(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.RandomAccess);
            return Probe(stream);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ProbeResult(null, "cannot be opened: " + e.Message);
        }
    }

    /// <summary>Probes a readable, seekable stream from its start.</summary>
    public static ProbeResult Probe(Stream stream)
    {
        try
        {
            Span<byte> start = stackalloc byte[12];
            if (stream.Length < start.Length)
            {
                return new ProbeResult(null, "too short to be a video");
            }
            ReadAt(stream, 0, start);
            VideoFacts facts;
            if (start[0] == 0x1A && start[1] == 0x45 && start[2] == 0xDF && start[3] == 0xA3)
            {
                facts = MatroskaProbe.Read(stream);
            }
            else if (Mp4Probe.LooksLikeMp4(start))
            {
                facts = Mp4Probe.Read(stream);
            }
            else
            {
                return new ProbeResult(null, "not an MP4 or WebM/Matroska file");
            }
            return facts.Video is null ? new ProbeResult(null, "has no video track") : new ProbeResult(facts, null);
        }
        catch (MediaFormatException e)
        {
            return new ProbeResult(null, e.Message);
        }
        catch (IOException e)
        {
            return new ProbeResult(null, "cannot be read: " + e.Message);
        }
    }

    /// <summary>Fills <paramref name="buffer"/> from <paramref name="offset"/>; a short file is a format error.</summary>
    internal static void ReadAt(Stream stream, long offset, Span<byte> buffer)
    {
        if (offset < 0 || offset > stream.Length - buffer.Length)
        {
            throw new MediaFormatException($"truncated: needs {buffer.Length} bytes at offset {offset:N0} of a {stream.Length:N0}-byte file");
        }
        stream.Position = offset;
        stream.ReadExactly(buffer);
    }

    /// <summary>A header body of <paramref name="size"/> bytes at <paramref name="offset"/>, after checking it fits the cap.</summary>
    internal static byte[] ReadBody(Stream stream, long offset, ulong size, string what)
    {
        if (size > MaxHeaderBytes)
        {
            throw new MediaFormatException($"{what} of {size:N0} bytes is over the {MaxHeaderBytes >> 20} MiB header limit");
        }
        var body = new byte[(int)size];
        ReadAt(stream, offset, body);
        return body;
    }
}
