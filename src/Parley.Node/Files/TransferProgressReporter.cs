namespace Parley.Node.Files;

/// <summary>
/// Announces every moving transfer on a steady beat of half a second (progress bars, rate, ETA); it
/// costs nothing while nobody listens, since the event stream builds the payload only for a listener.
/// </summary>
internal sealed class TransferProgressReporter(TransferBook book, TransferRecorder recorder, TimeProvider time)
    : BackgroundLoop(TimeSpan.FromMilliseconds(500), time)
{
    protected override Task TickAsync()
    {
        foreach (var transfer in book.Unordered.Where(t => t.State == TransferState.Active))
        {
            recorder.Announce(transfer);
        }
        return Task.CompletedTask;
    }
}
