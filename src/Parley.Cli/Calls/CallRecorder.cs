using System.Diagnostics;
using System.Globalization;

namespace Parley.Cli.Calls;

/// <summary>
/// Records a terminal call as it was seen and heard: the other side's video (VP8, from its first
/// keyframe) and voice (Opus), each written as it arrives into a file of its own beside the
/// recording, then joined by ffmpeg into the recording (WebM or Matroska, by its name) when the
/// call ends. Not one live ffmpeg fed by two pipes: ffmpeg reads its inputs in turn, so it would
/// stall the call's receive loop on one stream while the other's pipe filled, and a voice call
/// has no video at all. Each stream starts in the recording as late as its first frame came.
/// </summary>
internal sealed class CallRecorder(string path, TextWriter output)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly string _videoPart = path + ".video.part";
    private readonly string _audioPart = path + ".audio.part";
    private FileStream? _video;
    private FileStream? _audioFile;
    private OggOpusWriter? _audio;
    private uint _firstVideo;
    private TimeSpan _videoAt;
    private TimeSpan _audioAt;
    private int _videoFrames;

    /// <summary>A VP8 frame at <paramref name="timestamp"/> (90 kHz); frames before the first keyframe cannot be shown and are left out.</summary>
    public void Video(uint timestamp, ReadOnlySpan<byte> frame)
    {
        if (_video is null)
        {
            if (MediaContainers.Vp8KeyframeSize(frame) is not { } size)
            {
                return;
            }
            _video = File.Create(_videoPart);
            MediaContainers.WriteIvfHeader(_video, size.Width, size.Height, 90_000);
            _firstVideo = timestamp;
            _videoAt = _clock.Elapsed;
        }
        MediaContainers.WriteIvfFrame(_video, timestamp - _firstVideo, frame);
        _videoFrames++;
    }

    /// <summary>An Opus packet at <paramref name="timestamp"/> (48 kHz).</summary>
    public void Audio(uint timestamp, ReadOnlySpan<byte> packet)
    {
        if (_audio is null)
        {
            _audioFile = File.Create(_audioPart);
            _audio = new OggOpusWriter(_audioFile);
            _audioAt = _clock.Elapsed;
        }
        _audio.Write(timestamp, packet);
    }

    /// <summary>Joins what was received into the recording; the parts are kept (and named) if ffmpeg fails.</summary>
    public async Task FinishAsync()
    {
        _audio?.Finish();
        await CloseAsync(_video).ConfigureAwait(false);
        await CloseAsync(_audioFile).ConfigureAwait(false);
        if (_video is null && _audio is null)
        {
            output.WriteLine("nothing was received to record");
            return;
        }
        var start = _video is null ? _audioAt : _audio is null ? _videoAt : TimeSpan.FromTicks(Math.Min(_videoAt.Ticks, _audioAt.Ticks));
        var inputs = (_video is null ? "" : Input("ivf", _videoAt - start, _videoPart)) + (_audio is null ? "" : Input("ogg", _audioAt - start, _audioPart));
        using var ffmpeg = Process.Start(new ProcessStartInfo("ffmpeg", $"-hide_banner -loglevel error -nostdin -y {inputs}-c copy \"{path}\"") { RedirectStandardError = true })
            ?? throw new CliException("ffmpeg did not start (install the Debian package ffmpeg)");
        var errors = ffmpeg.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await ffmpeg.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        if (ffmpeg.ExitCode != 0)
        {
            output.WriteLine($"could not write {path}: {(await errors.ConfigureAwait(false)).Trim()}; what was received is kept in {path}.*.part");
            return;
        }
        File.Delete(_videoPart);
        File.Delete(_audioPart);
        output.WriteLine($"recorded {_videoFrames} video frames and {_audio?.Packets ?? 0} audio packets into {Path.GetFileName(path)}");
    }

    private static string Input(string format, TimeSpan delay, string file) =>
        string.Create(CultureInfo.InvariantCulture, $"-itsoffset {delay.TotalSeconds:0.000} -f {format} -i \"{file}\" ");

    private static async Task CloseAsync(FileStream? stream)
    {
        if (stream is not null)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }
}
