using System.Buffers;
using System.Net;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;

namespace Parley.Node.Tests.Fakes;

/// <summary>
/// A link that records what a feature sends instead of writing it to a socket, for unit tests of
/// feature rules. <see cref="OnSend"/> lets a test answer as the far end would; <see cref="BulkBlocked"/>
/// stands for a link whose bulk queue has no room.
/// </summary>
internal sealed class FakePeerLink(DeviceId remote, string name = "peer", long number = 1) : IPeerLink
{
    private readonly TaskCompletionSource<LinkClosed> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<(FrameType Type, byte[] Payload)> _sent = [];

    /// <summary>Runs on each frame sent (the far end's stand-in answering at once, while the send is still under way).</summary>
    public Action<FrameType, byte[]>? OnSend { get; set; }

    /// <summary>While true the bulk queue is full: bulk sends wait until cancelled and <see cref="TrySendBulk"/> refuses.</summary>
    public bool BulkBlocked { get; set; }

    /// <summary>Every frame sent, oldest first.</summary>
    public IReadOnlyList<(FrameType Type, byte[] Payload)> Sent
    {
        get
        {
            lock (_sent)
            {
                return [.. _sent];
            }
        }
    }

    public long Number => number;

    public DeviceId RemoteId => remote;

    public Hello RemoteHello { get; init; } = new(Hello.CurrentVersion, remote, 0, 47800, HelloFlags.Contact, name);

    public LinkDirection Direction { get; init; } = LinkDirection.Outbound;

    public IPEndPoint RemoteEndPoint { get; init; } = new(IPAddress.Loopback, 47800);

    public bool Relayed { get; init; }

    public bool IsClosed => _closed.Task.IsCompleted;

    public Task<LinkClosed> Closed => _closed.Task;

    /// <summary>The frames of one type sent, read back as the far end would, oldest first.</summary>
    public IReadOnlyList<T> SentOf<T>(FrameType type) where T : IWireMessage<T> =>
        [.. Sent.Where(f => f.Type == type).Select(f => WireMessage.Read<T>(f.Payload))];

    /// <summary>How many frames of one type were sent.</summary>
    public int CountOf(FrameType type) => Sent.Count(f => f.Type == type);

    public bool TrySend(FrameType type, byte[] payload, byte channel = 0)
    {
        if (IsClosed)
        {
            return false;
        }
        lock (_sent)
        {
            _sent.Add((type, payload));
        }
        OnSend?.Invoke(type, payload);
        return true;
    }

    public bool TrySendBulk(FrameType type, byte[] payload) => !BulkBlocked && TrySend(type, payload);

    public ValueTask<bool> SendBulkAsync(FrameType type, byte[] payload, byte channel = 0, CancellationToken cancellationToken = default) =>
        SendBulkAsync(type, payload, payload.Length, pooled: false, channel, cancellationToken);

    public async ValueTask<bool> SendBulkAsync(FrameType type, byte[] payload, int length, bool pooled, byte channel = 0, CancellationToken cancellationToken = default)
    {
        if (BulkBlocked)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        // A copy: the feature may reuse a rented buffer once the send returns.
        var sent = TrySend(type, payload[..length], channel);
        if (pooled)
        {
            ArrayPool<byte>.Shared.Return(payload);
        }
        return sent;
    }

    public Task CloseAsync(CloseCode code, string reason)
    {
        _closed.TrySetResult(new LinkClosed(code, reason, ByRemote: false));
        return Task.CompletedTask;
    }
}
