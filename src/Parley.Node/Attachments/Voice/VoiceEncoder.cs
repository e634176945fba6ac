using System.Buffers.Binary;
using System.Globalization;

namespace Parley.Node.Attachments.Voice;

/// <summary>A voice message made from a recording: Opus in Ogg, its length and its drawn waveform.</summary>
internal sealed record EncodedVoice(string Path, int DurationMs, IReadOnlyList<int> Waveform, long Size);

/// <summary>
/// Makes voice messages with ffmpeg: any audio in, mono Opus in Ogg out (speech at 32 kb/s), trimmed to
/// the part kept; then the result is decoded once more, at 8 kHz, to measure it — its duration from the
/// samples themselves and a peak waveform (0..255) the receiver draws without decoding anything.
/// </summary>
internal sealed class VoiceEncoder(VoiceOptions options, TimeProvider clock)
{
    /// <summary>Rate the encoded message is decoded at to be measured: peaks, not fidelity, are wanted.</summary>
    private const int MeasureRate = 8000;

    /// <summary>Peaks are first taken per 10 ms, then gathered into the points drawn.</summary>
    private const int SamplesPerSlice = MeasureRate / 100;

    public VoiceOptions Options => options;

    /// <summary>Encodes <paramref name="input"/> to <paramref name="output"/> (overwritten) and measures it.</summary>
    public async Task<EncodedVoice> EncodeAsync(string input, string output, VoiceTrim? trim, CancellationToken ct)
    {
        var inputSize = new FileInfo(input).Length;
        if (inputSize > options.MaxInputBytes)
        {
            throw new VoiceEncodingException($"the recording is {inputSize:N0} bytes; at most {options.MaxInputBytes:N0} are taken", 413);
        }
        if (inputSize == 0)
        {
            throw new VoiceEncodingException("the recording is empty");
        }
        // One slice past the cap, so a recording that is too long is told apart from one exactly at it.
        var longest = options.MaxDuration + TimeSpan.FromMilliseconds(10);
        var encode = new List<string> { "-y", "-i", input, "-map", "0:a:0", "-vn", "-sn", "-dn" };
        var keepMs = (int)longest.TotalMilliseconds;
        if (trim?.EndMs is { } end)
        {
            keepMs = Math.Min(keepMs, end - trim.StartMs);
        }
        // Output options: -ss drops what comes before the start, -t keeps what follows it (ffmpeg ignores -to beside -t).
        encode.AddRange(["-ss", Seconds(trim?.StartMs ?? 0), "-t", Seconds(keepMs), "-ac", "1", "-ar", "48000", "-c:a", "libopus",
            "-b:a", $"{options.BitrateKbps}k", "-application", "voip", "-f", "ogg", output]);
        await FfmpegRun.RunAsync(options, clock, encode, DrainAsync, ct).ConfigureAwait(false);

        var slices = new List<byte>();
        long samples = 0;
        await FfmpegRun.RunAsync(options, clock, ["-i", output, "-f", "s16le", "-ac", "1", "-ar", MeasureRate.ToString(CultureInfo.InvariantCulture), "-"],
            async (pcm, token) => samples = await SliceAsync(pcm, slices, token).ConfigureAwait(false), ct).ConfigureAwait(false);
        var durationMs = (int)(samples * 1000 / MeasureRate);
        if (durationMs == 0)
        {
            throw new VoiceEncodingException(trim is null ? "the recording holds no sound" : "nothing is left after trimming");
        }
        if (durationMs > options.MaxDuration.TotalMilliseconds)
        {
            throw new VoiceEncodingException($"a voice message is at most {Spoken(options.MaxDuration)}; trim it or send it as a file", 413);
        }
        return new EncodedVoice(output, durationMs, Waveform.FromSlices(slices, options.WaveformPoints), new FileInfo(output).Length);
    }

    /// <summary>Reads signed 16-bit PCM, keeping one peak (0..255) per 10 ms; returns the samples read.</summary>
    private async Task<long> SliceAsync(Stream pcm, List<byte> slices, CancellationToken ct)
    {
        // The encode step already capped the length; this bound holds even if ffmpeg were to disagree.
        var maxSlices = (long)options.MaxDuration.TotalMilliseconds / 10 + 2;
        var buffer = new byte[SamplesPerSlice * 2 * 64];
        var carry = 0;
        long samples = 0;
        var peak = 0;
        var inSlice = 0;
        int read;
        while ((read = await pcm.ReadAsync(buffer.AsMemory(carry), ct).ConfigureAwait(false)) > 0)
        {
            var whole = (carry + read) & ~1;
            for (var i = 0; i < whole; i += 2)
            {
                peak = Math.Max(peak, Math.Abs((int)BinaryPrimitives.ReadInt16LittleEndian(buffer.AsSpan(i))));
                if (++inSlice == SamplesPerSlice)
                {
                    AddSlice(slices, peak, maxSlices);
                    peak = inSlice = 0;
                }
            }
            samples += whole / 2;
            carry = carry + read - whole;
            if (carry > 0)
            {
                buffer[0] = buffer[whole];
            }
        }
        if (inSlice > 0)
        {
            AddSlice(slices, peak, maxSlices);
        }
        return samples;
    }

    private static void AddSlice(List<byte> slices, int peak, long maxSlices)
    {
        if (slices.Count < maxSlices)
        {
            slices.Add((byte)Math.Min(255, (peak * 255 + 16383) / 32767));
        }
    }

    private static async Task DrainAsync(Stream output, CancellationToken ct) =>
        await output.CopyToAsync(Stream.Null, ct).ConfigureAwait(false);

    private static string Spoken(TimeSpan span) =>
        span.TotalSeconds < 60 ? $"{span.TotalSeconds:0} s" : $"{span.TotalMinutes:0.#} min";

    private static string Seconds(int ms) => (ms / 1000.0).ToString("0.000", CultureInfo.InvariantCulture);
}
