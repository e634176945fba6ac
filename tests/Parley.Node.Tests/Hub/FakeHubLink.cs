using System.Net;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;

namespace Parley.Node.Tests.Hub;

/// <summary>A link to a pretend hub: records what the node sends and lets the test answer, with no sockets or TLS.</summary>
internal sealed class FakeHubLink : IPeerLink
{
    private readonly TaskCompletionSource<LinkClosed> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Called with each frame the node sends, so a test can answer it (as the hub would) at once.</summary>
    public Action<FrameType, byte[]>? Answer { get; set; }

    public List<(FrameType Type, byte[] Payload)> Sent { get; } = [];

    public long Number => 1;

    public DeviceId RemoteId { get; } = new(Enumerable.Repeat((byte)7, DeviceId.Size).ToArray());

    public Hello RemoteHello => new(Hello.CurrentVersion, RemoteId, HelloCapabilities.Hub, 0, HelloFlags.None, "hub");

    public LinkDirection Direction => LinkDirection.Outbound;

    public IPEndPoint RemoteEndPoint { get; } = new(IPAddress.Loopback, 47900);

    public bool Relayed => false;

    public bool IsClosed => _closed.Task.IsCompleted;

    public Task<LinkClosed> Closed => _closed.Task;

    public bool TrySend(FrameType type, byte[] payload, byte channel = 0)
    {
        if (IsClosed)
        {
            return false;
        }
        lock (Sent)
        {
            Sent.Add((type, payload));
        }
        Answer?.Invoke(type, payload);
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

    public int SentOf(FrameType type)
    {
        lock (Sent)
        {
            return Sent.Count(s => s.Type == type);
        }
    }
}
