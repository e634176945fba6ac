namespace Parley.Node;

/// <summary>
/// The node's stop signal, shared by whoever must end when it stops (the event stream, long
/// requests) and whoever may ask it to stop (the API's stop route).
/// </summary>
public sealed class NodeLifetime : IDisposable
{
    private readonly TaskCompletionSource _stopRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Completes when something asks the node to stop.</summary>
    public Task StopRequested => _stopRequested.Task;

    /// <summary>Cancelled when the node is asked to stop, so long-lived requests end at once.</summary>
    public CancellationToken Stopping => _stopping.Token;

    /// <summary>What peers are told when their links close at stop.</summary>
    public string StopReason { get; private set; } = "shutting down";

    public void RequestStop(string? reason = null)
    {
        if (reason is not null)
        {
            StopReason = reason;
        }
        _stopRequested.TrySetResult();
        try
        {
            _stopping.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public void Dispose() => _stopping.Dispose();
}
