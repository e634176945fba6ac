namespace Parley.Testing;

/// <summary>One file of <see cref="VideoCorpus"/>: which writer made it, for which reported fact, and whether it is whole.</summary>
public sealed record CorpusFile(string Name, string Writer, string Fact, bool Complete = true);

/// <summary>
/// Files the video library meets in the field, written by more than one muxer (ffmpeg's, GStreamer's,
/// mkvmerge's): rotated phone-style clips, several tracks with another one the default, fragmented
/// MP4 in its three shapes, mono AAC and MP3 in MP4, Matroska codecs beyond VP9/Opus, anamorphic
/// pictures, files cut short. Made once per test process (one second each, small), to be compared
/// with ffprobe field by field.
/// </summary>
public static class VideoCorpus
{
    private const string Picture = "-f lavfi -i testsrc2=size=320x180:rate=25";
    private const string Tone = "-f lavfi -i sine=frequency=440:sample_rate=48000";
    private const string H264 = "-c:v libx264 -preset ultrafast -pix_fmt yuv420p -g 25";
    private const string Quiet = "-hide_banner -loglevel error -y";
    private const string GstPicture = "videotestsrc num-buffers=50 ! video/x-raw,width=320,height=180,framerate=25/1 ! x264enc key-int-max=25 ! h264parse";

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _folder;

    /// <summary>Every file, with the steps that make it (program, arguments; <c>{dir}</c> is the corpus folder).</summary>
    private static readonly (CorpusFile File, (string Program, string Arguments)[] Steps)[] Recipes =
    [
        (new("base.mp4", "ffmpeg", "reference"), [("ffmpeg", $"{Quiet} {Picture} {Tone} -t 2 {H264} -c:a aac -movflags +faststart {{dir}}/base.mp4")]),
        (new("base.mkv", "ffmpeg", "reference"), [("ffmpeg", $"{Quiet} {Picture} {Tone} -t 2 {H264} -c:a libopus {{dir}}/base.mkv")]),
        // 1. Rotation: MP4's display matrix (ffmpeg), Matroska's Projection roll (mkvmerge).
        (new("rotate-90.mp4", "ffmpeg", "rotation"), [("ffmpeg", $"{Quiet} -i {{dir}}/base.mp4 -c copy -metadata:s:v:0 rotate=90 {{dir}}/rotate-90.mp4")]),
        (new("rotate-270.mp4", "ffmpeg", "rotation"), [("ffmpeg", $"{Quiet} -i {{dir}}/base.mp4 -c copy -metadata:s:v:0 rotate=270 {{dir}}/rotate-270.mp4")]),
        (new("rotate-180.mp4", "ffmpeg", "rotation"), [("ffmpeg", $"{Quiet} -i {{dir}}/base.mp4 -c copy -metadata:s:v:0 rotate=180 {{dir}}/rotate-180.mp4")]),
        (new("rotate-90.mkv", "mkvmerge", "rotation"), [("mkvmerge", "-q -o {dir}/rotate-90.mkv --projection-pose-roll 0:90 {dir}/base.mp4")]),
        (new("rotate-270.mkv", "mkvmerge", "rotation"), [("mkvmerge", "-q -o {dir}/rotate-270.mkv --projection-pose-roll 0:270 {dir}/base.mp4")]),
        // 2. Another track is the default: a small first video and an Opus/stereo first audio that players skip.
        (new("second-default.mp4", "ffmpeg", "default track"), [("ffmpeg", $"{Quiet} -f lavfi -i testsrc2=size=160x90:rate=25 {Picture} {Tone} -f lavfi -i sine=frequency=330:sample_rate=44100 -t 1 "
            + $"-map 0 -map 1 -map 2 -map 3 {H264} -c:a:0 libopus -c:a:1 aac -ac:a:1 1 -disposition:v:0 0 -disposition:v:1 default -disposition:a:0 0 -disposition:a:1 default {{dir}}/second-default.mp4")]),
        (new("second-default.mkv", "ffmpeg", "default track"), [("ffmpeg", $"{Quiet} -f lavfi -i testsrc2=size=160x90:rate=25 {Picture} {Tone} -f lavfi -i sine=frequency=330:sample_rate=44100 -t 1 "
            + $"-map 0 -map 1 -map 2 -map 3 {H264} -c:a:0 libopus -c:a:1 aac -ac:a:1 1 -disposition:v:0 0 -disposition:v:1 default -disposition:a:0 0 -disposition:a:1 default {{dir}}/second-default.mkv")]),
        (new("second-default-mkvmerge.mkv", "mkvmerge", "default track"),
        [
            ("ffmpeg", $"{Quiet} -f lavfi -i testsrc2=size=160x90:rate=25 -t 1 {H264} {{dir}}/small.mp4"),
            ("mkvmerge", "-q -o {dir}/second-default-mkvmerge.mkv --default-track-flag 0:0 {dir}/small.mp4 --default-track-flag 0:1 {dir}/base.mp4"),
        ]),
        // 3. Fragmented MP4: only fragments, a first fragment in moov, a global sidx, and GStreamer's mehd.
        (new("fragments-only.mp4", "ffmpeg", "fragmented duration"), [("ffmpeg", $"{Quiet} {Picture} {Tone} -t 3 {H264} -c:a aac -movflags frag_keyframe+empty_moov+default_base_moof {{dir}}/fragments-only.mp4")]),
        (new("fragments-after-moov.mp4", "ffmpeg", "fragmented duration"), [("ffmpeg", $"{Quiet} {Picture} {Tone} -t 3 {H264} -c:a aac -movflags frag_keyframe {{dir}}/fragments-after-moov.mp4")]),
        (new("global-sidx.mp4", "ffmpeg", "fragmented duration"), [("ffmpeg", $"{Quiet} {Picture} {Tone} -t 3 {H264} -c:a aac -movflags frag_keyframe+global_sidx {{dir}}/global-sidx.mp4")]),
        (new("mehd.mp4", "gstreamer", "fragmented duration"), [("gst-launch-1.0", $"-q {GstPicture} ! mp4mux fragment-duration=1000 ! filesink location={{dir}}/mehd.mp4")]),
        // 4. Audio facts from the decoder config: mono AAC (the sample entry says 2), MP3 in MP4 (not AAC).
        (new("mono-aac.mp4", "ffmpeg", "audio facts"), [("ffmpeg", $"{Quiet} {Picture} -f lavfi -i sine=frequency=440:sample_rate=44100 -t 1 {H264} -c:a aac -ac 1 {{dir}}/mono-aac.mp4")]),
        (new("mp3.mp4", "ffmpeg", "audio facts"), [("ffmpeg", $"{Quiet} {Picture} {Tone} -t 1 {H264} -c:a libmp3lame {{dir}}/mp3.mp4")]),
        (new("mono-aac-gst.mp4", "gstreamer", "audio facts"), [("gst-launch-1.0", $"-q mp4mux name=m ! filesink location={{dir}}/mono-aac-gst.mp4 {GstPicture} ! m. "
            + "audiotestsrc num-buffers=40 ! audio/x-raw,channels=1,rate=22050 ! avenc_aac ! aacparse ! m.")]),
        (new("mp3-gst.mp4", "gstreamer", "audio facts"), [("gst-launch-1.0", $"-q mp4mux name=m ! filesink location={{dir}}/mp3-gst.mp4 {GstPicture} ! m. "
            + "audiotestsrc num-buffers=40 ! audio/x-raw,channels=2,rate=44100 ! lamemp3enc ! mpegaudioparse ! m.")]),
        // 5. Matroska codecs people know by name.
        (new("mpeg2-pcm.mkv", "ffmpeg", "codec names"), [("ffmpeg", $"{Quiet} {Picture} {Tone} -t 1 -c:v mpeg2video -c:a pcm_s16le {{dir}}/mpeg2-pcm.mkv")]),
        (new("theora-vorbis.mkv", "ffmpeg", "codec names"), [("ffmpeg", $"{Quiet} {Picture} {Tone} -t 1 -c:v libtheora -c:a libvorbis {{dir}}/theora-vorbis.mkv")]),
        (new("mpeg4-pcm24.mkv", "ffmpeg", "codec names"), [("ffmpeg", $"{Quiet} {Picture} {Tone} -t 1 -c:v mpeg4 -c:a pcm_s24le {{dir}}/mpeg4-pcm24.mkv")]),
        (new("mpeg2-pcm-mkvmerge.mkv", "mkvmerge", "codec names"), [("mkvmerge", "-q -o {dir}/mpeg2-pcm-mkvmerge.mkv {dir}/mpeg2-pcm.mkv")]),
        (new("theora-vorbis-mkvmerge.mkv", "mkvmerge", "codec names"), [("mkvmerge", "-q -o {dir}/theora-vorbis-mkvmerge.mkv {dir}/theora-vorbis.mkv")]),
        (new("mp3-gst.mkv", "gstreamer", "codec names"), [("gst-launch-1.0", $"-q matroskamux name=m ! filesink location={{dir}}/mp3-gst.mkv {GstPicture} ! m. "
            + "audiotestsrc num-buffers=40 ! audio/x-raw,channels=2,rate=44100 ! lamemp3enc ! mpegaudioparse ! m.")]),
        // 6. Anamorphic: a 4:3-stored picture shown 16:9 (MP4 pasp, Matroska display size), by ffmpeg and mkvmerge.
        (new("anamorphic.mp4", "ffmpeg", "aspect"), [("ffmpeg", $"{Quiet} -f lavfi -i testsrc2=size=360x270:rate=25 -t 1 {H264} -aspect 16:9 {{dir}}/anamorphic.mp4")]),
        (new("anamorphic.mkv", "ffmpeg", "aspect"), [("ffmpeg", $"{Quiet} -f lavfi -i testsrc2=size=360x270:rate=25 -t 1 {H264} -aspect 16:9 {{dir}}/anamorphic.mkv")]),
        (new("anamorphic-mkvmerge.mkv", "mkvmerge", "aspect"), [("mkvmerge", "-q -o {dir}/anamorphic-mkvmerge.mkv --aspect-ratio 0:16/9 {dir}/base.mp4")]),
        // 7. Cut short after whole headers: players play the first part.
        (new("cut.mp4", "ffmpeg", "cut short", Complete: false), [("cut", "{dir}/base.mp4 {dir}/cut.mp4")]),
        (new("cut.mkv", "ffmpeg", "cut short", Complete: false), [("cut", "{dir}/base.mkv {dir}/cut.mkv")]),
        (new("cut-mkvmerge.mkv", "mkvmerge", "cut short", Complete: false), [("cut", "{dir}/anamorphic-mkvmerge.mkv {dir}/cut-mkvmerge.mkv")]),
    ];

    public static IEnumerable<CorpusFile> Files => Recipes.Select(r => r.File);

    /// <summary>The corpus folder, made on first use; callers copy rather than change its files.</summary>
    public static async Task<string> FolderAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_folder is not null)
            {
                return _folder;
            }
            var folder = Path.Combine(Path.GetTempPath(), "parley-video-corpus-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(folder);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(folder, recursive: true);
            foreach (var (_, steps) in Recipes)
            {
                foreach (var (program, arguments) in steps)
                {
                    var expanded = arguments.Replace("{dir}", folder, StringComparison.Ordinal);
                    if (program == "cut")
                    {
                        Cut(expanded);
                    }
                    else
                    {
                        await TestVideos.RunAsync(program, expanded);
                    }
                }
            }
            return _folder = folder;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Keeps the first 60 % of a file, as an interrupted download or copy leaves it.</summary>
    private static void Cut(string arguments)
    {
        var parts = arguments.Split(' ');
        var bytes = File.ReadAllBytes(parts[0]);
        File.WriteAllBytes(parts[1], bytes[..(bytes.Length * 6 / 10)]);
    }
}
