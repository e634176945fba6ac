namespace Parley.Node.Files;

/// <summary>A file transfer in either direction: the stored facts plus live progress.</summary>
public sealed class Transfer(Guid id, string peer, bool outgoing, IReadOnlyList<TransferFile> files, DateTimeOffset createdAt)
{
    private readonly Lock _lock = new();
    private readonly Queue<(long Ticks, long Bytes)> _samples = new();

    public Guid Id { get; } = id;

    /// <summary>Serializes work on this transfer (frames, API calls) that touches its files.</summary>
    public SemaphoreSlim Gate { get; } = new(1, 1);

    /// <summary>The peer's compact device ID.</summary>
    public string Peer { get; } = peer;

    public bool Outgoing { get; } = outgoing;

    public IReadOnlyList<TransferFile> Files { get; } = files;

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public long TotalBytes { get; } = files.Sum(f => f.Size);

    /// <summary>Folder entries among <see cref="Files"/>: progress counts files, not the folders that carry times.</summary>
    public int FolderCount { get; } = files.Count(f => f.IsFolder);

    /// <summary>
    /// Bytes (and files) this node already held for this transfer and was sent again after a resume, counted by the
    /// receiver since it started: the part block cut off the file it resumes, and the temporary files after it (received
    /// and verified, not yet landed) that the sender streams again. At most one bundle after a kill -9 of either side.
    /// Data in flight when a side died is not counted: the receiver never held it.
    /// </summary>
    public long ResentBytes { get; set; }

    /// <inheritdoc cref="ResentBytes"/>
    public int ResentFiles { get; set; }

    public TransferState State { get; set; }

    public string? Folder { get; set; }

    public string? Error { get; set; }

    /// <summary>The file moving now (receiver: expected next; sender: being sent).</summary>
    public int CurrentFile { get; set; }

    /// <summary>Bytes of the current file moved so far.</summary>
    public long CurrentOffset { get; set; }

    /// <summary>
    /// Receiver: it asked the sender to go on from where it stands (a resume, or the ask after a pause), and no block has
    /// been written there since. A file's end that comes short meanwhile was sent before the ask (in flight past a
    /// dropped block): ignored, as the resend ends the file again, rather than failing the transfer.
    /// </summary>
    public bool AskedToResend
    {
        get => Volatile.Read(ref _askedToResend);
        set => Volatile.Write(ref _askedToResend, value);
    }

    private bool _askedToResend;

    public bool IsFinal => State is TransferState.Completed or TransferState.Rejected or TransferState.Cancelled or TransferState.Failed;

    /// <summary>
    /// The ID's last 8 hex digits: its random part (IDs are UUIDv7, whose first digits are the
    /// creation time, so transfers made together would share them).
    /// </summary>
    public string ShortId => Id.ToString("N")[^8..];

    private int _filesDone = -1;
    private int _foldersDone;
    private long _bytesOfFilesDone;

    /// <summary>Files finished so far (kept as a count: a transfer may hold 100,000 files).</summary>
    public int FilesDone
    {
        get
        {
            lock (_lock)
            {
                EnsureCounted();
                return _filesDone;
            }
        }
    }

    /// <summary>Marks a file finished; false if it already was.</summary>
    public bool MarkDone(TransferFile file)
    {
        lock (_lock)
        {
            EnsureCounted();
            if (file.Done)
            {
                return false;
            }
            file.Done = true;
            _filesDone++;
            _foldersDone += file.IsFolder ? 1 : 0;
            _bytesOfFilesDone += file.Size;
            return true;
        }
    }

    public bool AllDone => FilesDone == Files.Count;

    /// <summary>Finished files that are not folders: what progress shows ("1,234 of 10,000 files").</summary>
    public int OnlyFilesDone
    {
        get
        {
            lock (_lock)
            {
                EnsureCounted();
                return _filesDone - _foldersDone;
            }
        }
    }

    private void EnsureCounted()
    {
        if (_filesDone < 0)
        {
            _filesDone = Files.Count(f => f.Done);
            _foldersDone = Files.Count(f => f.Done && f.IsFolder);
            _bytesOfFilesDone = Files.Where(f => f.Done).Sum(f => f.Size);
        }
    }

    /// <summary>Bytes of finished files plus the current file's progress.</summary>
    public long BytesDone
    {
        get
        {
            lock (_lock)
            {
                EnsureCounted();
                var current = CurrentFile < Files.Count && !Files[CurrentFile].Done ? CurrentOffset : 0;
                return Math.Min(TotalBytes, _bytesOfFilesDone + current);
            }
        }
    }

    /// <summary>Bytes a second over the last few seconds of progress.</summary>
    public double Rate(TimeProvider time)
    {
        var now = time.GetTimestamp();
        var bytes = BytesDone;
        lock (_lock)
        {
            _samples.Enqueue((now, bytes));
            while (_samples.Count > 2 && time.GetElapsedTime(_samples.Peek().Ticks, now) > TimeSpan.FromSeconds(3))
            {
                _samples.Dequeue();
            }
            var (firstTicks, firstBytes) = _samples.Peek();
            var seconds = time.GetElapsedTime(firstTicks, now).TotalSeconds;
            return seconds < 0.2 ? 0 : (bytes - firstBytes) / seconds;
        }
    }
}
