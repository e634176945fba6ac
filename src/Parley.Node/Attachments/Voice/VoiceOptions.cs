namespace Parley.Node.Attachments.Voice;

/// <summary>How voice messages are encoded. Each limit bounds what one request may cost the node.</summary>
internal sealed record VoiceOptions
{
    /// <summary>The ffmpeg executable (a name looked up on PATH, or a path). Defaults to "ffmpeg".</summary>
    public string Ffmpeg { get; init; } = "ffmpeg";

    /// <summary>Longest one ffmpeg run may take before it is killed. Defaults to 60 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Longest voice message, after trimming. Defaults to 10 min.</summary>
    public TimeSpan MaxDuration { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Largest recording or audio file taken for encoding. Defaults to 64 MiB.</summary>
    public long MaxInputBytes { get; init; } = 64L << 20;

    /// <summary>Opus bitrate of the message (mono, speech). Defaults to 32 kb/s.</summary>
    public int BitrateKbps { get; init; } = 32;

    /// <summary>Peak values drawn for a message: what the receiver shows without decoding it. Defaults to 100.</summary>
    public int WaveformPoints { get; init; } = 100;
}

/// <summary>A voice message could not be made; the message says why in words for the person sending it.</summary>
internal sealed class VoiceEncodingException(string message, int status = 400) : RequestRefusedException(message, status);
