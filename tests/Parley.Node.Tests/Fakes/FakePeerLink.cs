using System.Collections.Concurrent;
using System.Net;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;

namespace Parley.Node.Tests.Fakes;

/// <summary>A link that records what a feature sends instead of writing it to a socket, for unit tests of feature rules.</summary>
internal sealed class FakePeerLink(DeviceId remote, string name = "peer") : IPeerLink
{
    private readonly TaskCompletionSource<LinkClosed> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ConcurrentQueue<(FrameType Type, byte[] Payload)> Sent { get; } = new();

    public long Number { get; init; } = 1;

    public DeviceId RemoteId => remote;

    public Hello RemoteHello { get; } = new(Hello.CurrentVersion, remote, 0, 47800, HelloFlags.Contact, name);

    public LinkDirection Direction { get; init; } = LinkDirection.Outbound;

    public IPEndPoint RemoteEndPoint { get; init; } = new(IPAddress.Loopback, 47800);

    public bool Relayed { get; init; }

    public bool IsClosed => _closed.Task.IsCompleted;

    public Task<LinkClosed> Closed => _closed.Task;

    /// <summary>Frames of one type, decoded.</summary>
    public IReadOnlyList<T> SentOf<T>(FrameType type) where T : IWireMessage<T> =>
        [.. Sent.Where(f => f.Type == type).Select(f => WireMessage.Read<T>(f.Payload))];

    public bool TrySend(FrameType type, byte[] payload, byte channel = 0)
    {
        if (IsClosed)
        {
            return false;
        }
        Sent.Enqueue((type, payload));
        return true;
    }

    public bool TrySendBulk(FrameType type, byte[] payload) => TrySend(type, payload);

    public ValueTask<bool> SendBulkAsync(FrameType type, byte[] payload, byte channel = 0, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(TrySend(type, payload, channel));

    public ValueTask<bool> SendBulkAsync(FrameType type, byte[] payload, int length, bool pooled, byte channel = 0, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(TrySend(type, payload[..length], channel));

    public Task CloseAsync(CloseCode code, string reason)
    {
        _closed.TrySetResult(new LinkClosed(code, reason, ByRemote: false));
        return Task.CompletedTask;
    }
}
