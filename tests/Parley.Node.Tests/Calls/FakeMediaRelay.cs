using System.Net;
using Parley.Core.Traversal;

namespace Parley.Node.Tests.Calls;

/// <summary>A relay that notes where each datagram went and never receives: the path rules need no hub.</summary>
internal sealed class FakeMediaRelay(string kind, IPEndPoint relayed) : IMediaRelay
{
    public string Kind => kind;

    public IPEndPoint RelayedAddress => relayed;

    public List<IPEndPoint> Permitted { get; } = [];

    public List<IPEndPoint> Sent { get; } = [];

    public bool Disposed { get; private set; }

    public Task PermitAsync(IPEndPoint peer, CancellationToken cancellationToken)
    {
        Permitted.Add(peer);
        return Task.CompletedTask;
    }

    public ValueTask SendAsync(IPEndPoint peer, ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken)
    {
        Sent.Add(peer);
        return ValueTask.CompletedTask;
    }

    public async ValueTask<(IPEndPoint From, int Length)> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        throw new OperationCanceledException();
    }

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}
