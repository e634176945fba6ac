using Parley.Node.Links;

namespace Parley.Node.Files;

/// <summary>Resumes transfers paused for space (<see cref="DiskFullPause"/>) once the bytes still to come fit, checking every 5 s.</summary>
internal sealed class PausedTransferWatcher(TransferBook book, TransferRecorder recorder, ReceiveResumer resumer, IPeerSessions sessions, TimeProvider time)
    : BackgroundLoop(TimeSpan.FromSeconds(5), time)
{
    protected override async Task TickAsync()
    {
        foreach (var transfer in book.Unordered.Where(t => t.State == TransferState.Paused && t.Folder is not null))
        {
            if (FreeSpace(transfer.Folder!) > transfer.TotalBytes - transfer.BytesDone && sessions.OpenSessionWith(transfer) is { } session)
            {
                transfer.State = TransferState.Active;
                transfer.Error = null;
                await recorder.SaveAsync(transfer).ConfigureAwait(false);
                await resumer.ResumeAsync(session, transfer).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Free bytes where the folder is; none while it is gone (a drive unplugged): that transfer waits
    /// for it to come back, and the others are still looked at.
    /// </summary>
    private static long FreeSpace(string folder)
    {
        try
        {
            return new DriveInfo(folder).AvailableFreeSpace;
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
