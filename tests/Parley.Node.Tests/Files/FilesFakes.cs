using System.Buffers;
using System.Net;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Files;
using Parley.Node.Links;
using Parley.Node.Storage;

namespace Parley.Node.Tests.Files;

/// <summary>A link that records what a feature sends on it, and never closes.</summary>
internal sealed class FakePeerLink(DeviceId remote) : IPeerLink
{
    private readonly List<(FrameType Type, byte[] Payload)> _sent = [];

    public long Number => 1;

    public DeviceId RemoteId => remote;

    public Hello RemoteHello => new(Hello.CurrentVersion, remote, 0, 0, HelloFlags.Contact, "fake");

    public LinkDirection Direction => LinkDirection.Inbound;

    public IPEndPoint RemoteEndPoint => new(IPAddress.Loopback, 1);

    public bool Relayed => false;

    public bool IsClosed => false;

    public Task<LinkClosed> Closed => new TaskCompletionSource<LinkClosed>().Task;

    /// <summary>What was sent of <paramref name="type"/>, oldest first.</summary>
    public List<byte[]> Sent(FrameType type)
    {
        lock (_sent)
        {
            return [.. _sent.Where(f => f.Type == type).Select(f => f.Payload)];
        }
    }

    public bool TrySend(FrameType type, byte[] payload, byte channel = 0) => Record(type, payload, payload.Length);

    public bool TrySendBulk(FrameType type, byte[] payload) => Record(type, payload, payload.Length);

    public ValueTask<bool> SendBulkAsync(FrameType type, byte[] payload, byte channel = 0, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Record(type, payload, payload.Length));

    public ValueTask<bool> SendBulkAsync(FrameType type, byte[] payload, int length, bool pooled, byte channel = 0, CancellationToken cancellationToken = default)
    {
        Record(type, payload, length);
        if (pooled)
        {
            ArrayPool<byte>.Shared.Return(payload);
        }
        return ValueTask.FromResult(true);
    }

    public Task CloseAsync(CloseCode code, string reason) => Task.CompletedTask;

    private bool Record(FrameType type, byte[] payload, int length)
    {
        lock (_sent)
        {
            _sent.Add((type, payload[..length]));
        }
        return true;
    }
}

/// <summary>Open sessions over fake links, one per peer.</summary>
internal sealed class FakePeerSessions : IPeerSessions
{
    private readonly Dictionary<DeviceId, PeerSession> _sessions = [];

    public IReadOnlyCollection<PeerSession> Sessions => _sessions.Values;

    public PeerSession? Session(DeviceId id) => _sessions.GetValueOrDefault(id);

    public (PeerSession Session, FakePeerLink Link) Open(DeviceId peer)
    {
        var link = new FakePeerLink(peer);
        var session = new PeerSession(link, localAccepts: true, remoteAccepts: true);
        _sessions[peer] = session;
        return (session, link);
    }
}

/// <summary>Transfers kept in memory; counts what was recorded.</summary>
internal sealed class FakeTransferStore : ITransferStore
{
    public List<Transfer> Inserted { get; } = [];

    public int Updates { get; private set; }

    public Task InsertTransferAsync(Transfer transfer)
    {
        Inserted.Add(transfer);
        return Task.CompletedTask;
    }

    public Task UpdateTransferAsync(Transfer transfer)
    {
        Updates++;
        return Task.CompletedTask;
    }

    public Task UpdateTransferFileAsync(Guid transfer, TransferFile file) => Task.CompletedTask;

    public Task<IReadOnlyList<Transfer>> LoadTransfersAsync(int recentFinished) => Task.FromResult<IReadOnlyList<Transfer>>(Inserted);
}

internal sealed class FakeSettingStore : ISettingStore
{
    private readonly Dictionary<string, string> _settings = [];

    public Task<string?> GetSettingAsync(string key) => Task.FromResult(_settings.GetValueOrDefault(key));

    public Task<IReadOnlyList<(string Key, string Value)>> SettingsWithPrefixAsync(string prefix) =>
        Task.FromResult<IReadOnlyList<(string, string)>>([.. _settings.Where(s => s.Key.StartsWith(prefix, StringComparison.Ordinal)).Select(s => (s.Key[prefix.Length..], s.Value))]);

    public Task SetSettingAsync(string key, string value)
    {
        _settings[key] = value;
        return Task.CompletedTask;
    }
}
