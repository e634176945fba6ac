using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Contacts;
using Parley.Node.Links;
using Parley.Node.Storage;
using Parley.Node.Videos;

namespace Parley.Node.Tests.Videos;

/// <summary>A link that keeps what a feature sends. Bulk sends wait while <see cref="BulkBlocked"/>, as on a link with no room, until cancelled.</summary>
internal sealed class FakePeerLink(DeviceId remote, string name, long number) : IPeerLink
{
    private readonly TaskCompletionSource<LinkClosed> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ConcurrentQueue<(FrameType Type, byte[] Payload)> Sent { get; } = new();

    /// <summary>Runs on each control frame sent (an owner's stand-in answering at once).</summary>
    public Action<FrameType, byte[]>? OnSend { get; set; }

    public bool BulkBlocked { get; set; }

    public long Number => number;

    public DeviceId RemoteId => remote;

    public Hello RemoteHello { get; } = new(Hello.CurrentVersion, remote, 0, 0, HelloFlags.Contact, name);

    public LinkDirection Direction => LinkDirection.Outbound;

    public IPEndPoint RemoteEndPoint { get; } = new(IPAddress.Loopback, 1);

    public bool Relayed => false;

    public bool IsClosed => _closed.Task.IsCompleted;

    public Task<LinkClosed> Closed => _closed.Task;

    public IEnumerable<T> SentAs<T>(FrameType type) where T : IWireMessage<T> =>
        Sent.Where(f => f.Type == type).Select(f => WireMessage.Read<T>(f.Payload));

    public bool TrySend(FrameType type, byte[] payload, byte channel = 0)
    {
        if (IsClosed)
        {
            return false;
        }
        Sent.Enqueue((type, payload));
        OnSend?.Invoke(type, payload);
        return true;
    }

    public bool TrySendBulk(FrameType type, byte[] payload) => TrySend(type, payload);

    public ValueTask<bool> SendBulkAsync(FrameType type, byte[] payload, byte channel = 0, CancellationToken cancellationToken = default) =>
        SendBulkAsync(type, payload, payload.Length, pooled: false, channel, cancellationToken);

    public async ValueTask<bool> SendBulkAsync(FrameType type, byte[] payload, int length, bool pooled, byte channel = 0, CancellationToken cancellationToken = default)
    {
        if (BulkBlocked)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        var sent = TrySend(type, payload[..length]);
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

/// <summary>The sessions a feature sees: one per peer, set by the test.</summary>
internal sealed class FakeSessions : IPeerSessions
{
    private readonly ConcurrentDictionary<DeviceId, PeerSession> _sessions = new();

    public IReadOnlyCollection<PeerSession> Sessions => [.. _sessions.Values];

    public PeerSession? Session(DeviceId id) => _sessions.GetValueOrDefault(id);

    public PeerSession Open(FakePeerLink link) => _sessions[link.RemoteId] = new PeerSession(link, localAccepts: true, remoteAccepts: true);
}

/// <summary>A node's store and contact book in a temporary home, for the rules that read them.</summary>
internal sealed class VideoHome : IAsyncDisposable
{
    private readonly string _home;

    private VideoHome(string home, NodeStore store, ContactBook contacts) => (_home, Store, Contacts) = (home, store, contacts);

    public NodeStore Store { get; }

    public ContactBook Contacts { get; }

    public static async Task<VideoHome> OpenAsync()
    {
        var home = Directory.CreateTempSubdirectory("parley-videos-unit-").FullName;
        var store = NodeStore.Open(home);
        return new VideoHome(home, store, await ContactBook.LoadAsync(store, TimeProvider.System));
    }

    public async Task<VideoSharing> SharingAsync(string? folder = null)
    {
        var sharing = new VideoSharing(Store, Contacts, new VideoAccess(Store), new NodeOptions { Home = _home, VideosFolder = folder }, TimeProvider.System);
        await sharing.StartAsync();
        return sharing;
    }

    /// <summary>A device in the contact book with <paramref name="state"/>.</summary>
    public async Task<DeviceId> PeerAsync(PeerState state)
    {
        using var identity = NodeIdentity.CreateEphemeral();
        await Contacts.UpdateAsync(identity.DeviceId, r => r with { State = state });
        return identity.DeviceId;
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        Directory.Delete(_home, recursive: true);
    }

    public static Frame Frame<T>(FrameType type, T message) where T : IWireMessage<T> => new(type, 0, new ReadOnlySequence<byte>(message.ToArray()));
}
