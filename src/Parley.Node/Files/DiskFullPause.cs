using Microsoft.Extensions.Logging;
using Parley.Core.Files;
using Parley.Core.Protocol;
using Parley.Node.Links;

namespace Parley.Node.Files;

/// <summary>
/// A full disk pauses a transfer instead of failing it: the sender is stopped, every verified block
/// is kept, and <see cref="PausedTransferWatcher"/> resumes it once the rest fits.
/// </summary>
internal sealed class DiskFullPause(IncomingFiles incoming, IPeerSessions sessions, TransferRecorder recorder, ILoggerFactory loggerFactory)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger(FileLog.Category);

    /// <summary>ENOSPC (28) on Linux, ERROR_DISK_FULL (112) on Windows.</summary>
    public static bool IsDiskFull(IOException e) => (e.HResult & 0xFFFF) is 28 or 112 || e.Message.Contains("No space left", StringComparison.Ordinal);

    /// <summary>Pauses <paramref name="transfer"/> for space, saying why. Under the transfer's gate.</summary>
    public void Pause(Transfer transfer, string detail)
    {
        var reason = $"paused: the disk is full ({detail.TrimEnd('.')}); it resumes when there is space";
        transfer.State = TransferState.Paused;
        transfer.Error = reason;
        incoming.Close(transfer, deleteTemp: false);
        sessions.TrySend(transfer, FrameType.TransferPause, new TransferStop(transfer.Id, reason));
        FileLog.Paused(_logger, transfer.ShortId, reason);
        _ = recorder.SaveAsync(transfer);
    }
}
