using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Parley.Core.Videos;

namespace Parley.Node.Videos.Thumbnails;

/// <summary>
/// The owner's poster frames. A scan asks <see cref="For"/> for each file and gets the frame's ID at
/// once, or null while none is made: then the file is queued for a worker that runs one ffmpeg at a
/// time in the background, so a list never waits. Frames are kept in the node's home
/// (<c>thumbnails/made</c>) under a key of path, size and modification time, so a restart or another
/// list reuses them and a changed file gets a new one. A file ffmpeg failed on is marked there too and
/// not tried again until it changes. Without ffmpeg nothing is queued and every ID is null.
/// </summary>
public sealed class VideoThumbnails : IDisposable
{
    /// <summary>Files waiting for the worker; past this the rest wait for a later scan (it asks again).</summary>
    public const int QueueLimit = 64;

    private const string Made = ".jpg";
    private const string Failed = ".failed";
    private readonly ThumbnailFiles _files;
    private readonly string? _ffmpeg;
    private readonly ILogger _logger;
    private readonly Channel<Job> _queue = Channel.CreateBounded<Job>(new BoundedChannelOptions(QueueLimit) { SingleReader = true });
    private readonly ConcurrentDictionary<string, string?> _known = new(StringComparer.Ordinal); // key → frame ID, or null for a failure
    private readonly ConcurrentDictionary<string, bool> _queued = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _byId = new(StringComparer.Ordinal); // frame ID → key
    private readonly CancellationTokenSource _stopping = new();
    private int _runs;
    private Task _worker = Task.CompletedTask;

    private sealed record Job(string Key, VideoLibrary.SharedFile File, string Container, double? Duration, int Width, int Height);

    internal VideoThumbnails(string folder, string? ffmpeg, ILoggerFactory loggerFactory)
    {
        _files = new ThumbnailFiles(folder);
        _ffmpeg = ffmpeg;
        _logger = loggerFactory.CreateLogger("Parley.Videos");
    }

    /// <summary>For the node: frames in <c>thumbnails/made</c> of its home, by the ffmpeg on PATH.</summary>
    public VideoThumbnails(NodeOptions options, ILoggerFactory loggerFactory)
        : this(Path.Combine(options.Home, "thumbnails", "made"), FfmpegThumbnail.Find(), loggerFactory)
    {
    }

    /// <summary>Whether frames can be made here (ffmpeg was found).</summary>
    public bool Available => _ffmpeg is not null;

    /// <summary>How many files ffmpeg was run on since start (a failure mark or a kept frame means no second run).</summary>
    public int Runs => Volatile.Read(ref _runs);

    /// <summary>Starts the worker (the node is starting).</summary>
    public void Start()
    {
        if (_ffmpeg is not null && _worker.IsCompleted)
        {
            _worker = Task.Run(WorkAsync);
        }
    }

    /// <summary>
    /// The ID of the file's frame, or null when there is none yet (queued if it may be made) or ever
    /// (ffmpeg failed on this version of the file). Cheap: a dictionary look-up after the first time.
    /// </summary>
    internal string? For(VideoLibrary.SharedFile file, DateTime modified, string container, double? duration, int width, int height)
    {
        var key = KeyOf(file.Path, file.Size, modified);
        if (_known.TryGetValue(key, out var id))
        {
            return id;
        }
        if (_files.TryRead(key + Made, VideoThumbnail.MaxBytes) is { } jpeg)
        {
            return Remember(key, jpeg);
        }
        if (_files.Exists(key + Failed))
        {
            _known[key] = null;
            return null;
        }
        if (_ffmpeg is not null && _queued.TryAdd(key, true) && !_queue.Writer.TryWrite(new Job(key, file, container, duration, width, height)))
        {
            _queued.TryRemove(key, out _);
        }
        return null;
    }

    /// <summary>The JPEG whose ID a catalog gave, or null when this node has no such frame.</summary>
    public byte[]? Read(string id) =>
        _byId.TryGetValue(id, out var key) ? _files.TryRead(key + Made, VideoThumbnail.MaxBytes) : null;

    private string Remember(string key, byte[] jpeg)
    {
        var id = Convert.ToHexStringLower(SHA256.HashData(jpeg));
        _byId[id] = key;
        _known[key] = id;
        return id;
    }

    private async Task WorkAsync()
    {
        try
        {
            await foreach (var job in _queue.Reader.ReadAllAsync(_stopping.Token).ConfigureAwait(false))
            {
                await MakeAsync(job).ConfigureAwait(false);
                _queued.TryRemove(job.Key, out _);
            }
        }
        catch (OperationCanceledException)
        {
            // The node is stopping.
        }
    }

    private async Task MakeAsync(Job job)
    {
        byte[]? jpeg;
        string? error;
        try
        {
            using var handle = job.File.OpenRead();
            Interlocked.Increment(ref _runs);
            (jpeg, error) = await FfmpegThumbnail.MakeAsync(_ffmpeg!, handle, job.File.Path, job.Container, job.Duration, job.Width, job.Height, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception)
        {
            (jpeg, error) = (null, e.Message);
        }
        if (_stopping.IsCancellationRequested)
        {
            return;
        }
        try
        {
            if (jpeg is not null)
            {
                _files.Write(job.Key + Made, jpeg);
                Remember(job.Key, jpeg);
                return;
            }
            VideoLog.ThumbnailFailed(_logger, job.File.Path, error ?? "");
            _files.Write(job.Key + Failed, Encoding.UTF8.GetBytes(error ?? ""));
            _known[job.Key] = null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            VideoLog.ThumbnailFailed(_logger, job.File.Path, "cannot keep it: " + e.Message);
            _known[job.Key] = null; // not tried again this run
        }
    }

    private static string KeyOf(string path, long size, DateTime modified) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{path}\0{size}\0{modified.Ticks}")))[..32];

    /// <summary>Stops the worker and any ffmpeg it runs (the node is stopping).</summary>
    public void Stop()
    {
        _stopping.Cancel();
        _queue.Writer.TryComplete();
    }

    public void Dispose() => _stopping.Dispose();
}
