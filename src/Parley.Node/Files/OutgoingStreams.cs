using System.Collections.Concurrent;

namespace Parley.Node.Files;

/// <summary>
/// The sender's running stream per transfer: at most one, since each FileRequest replaces the one
/// before (the receiver asks again from where it stands after a pause or a new link).
/// </summary>
internal sealed class OutgoingStreams : IDisposable
{
    private readonly ConcurrentDictionary<Guid, CancellationTokenSource> _streams = new();
    private readonly CancellationTokenSource _stopping = new();
    private int _disposed;

    /// <summary>Stops the transfer's stream, if any, and returns the token for the one that replaces it.</summary>
    public CancellationToken Replace(Guid transfer)
    {
        Stop(transfer);
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        _streams[transfer] = cancel;
        return cancel.Token;
    }

    public void Stop(Guid transfer)
    {
        if (_streams.TryRemove(transfer, out var cancel))
        {
            cancel.Cancel();
            cancel.Dispose();
        }
    }

    /// <summary>The node stops: every stream ends, and none starts after.</summary>
    public void StopAll()
    {
        _stopping.Cancel();
        foreach (var transfer in _streams.Keys)
        {
            Stop(transfer);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        StopAll();
        _stopping.Dispose();
    }
}
