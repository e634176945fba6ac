namespace Parley.Node.Files;

public sealed partial class FileTransferService
{
    /// <summary>How often moving transfers are reported to the event stream (progress bars, rate, ETA). Half a second.</summary>
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(500);

    private Task? _progressReporter;

    /// <summary>Publishes every active transfer's progress on a steady beat; costs nothing while nobody listens.</summary>
    private async Task ReportProgressAsync()
    {
        using var timer = new PeriodicTimer(ProgressInterval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                foreach (var transfer in _transfers.Values)
                {
                    if (transfer.State == TransferState.Active)
                    {
                        _events.Publish("transfer", () => ToJson(transfer));
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
