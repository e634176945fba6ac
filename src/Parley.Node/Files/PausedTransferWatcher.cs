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
            if (new DriveInfo(transfer.Folder!).AvailableFreeSpace > transfer.TotalBytes - transfer.BytesDone && sessions.OpenSessionWith(transfer) is { } session)
            {
                transfer.State = TransferState.Active;
                transfer.Error = null;
                await recorder.SaveAsync(transfer).ConfigureAwait(false);
                await resumer.ResumeAsync(session, transfer).ConfigureAwait(false);
            }
        }
    }
}
