using System.Net;
using System.Security.Cryptography;
using Parley.Core.Calls;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Calls;
using Parley.Node.Links;

namespace Parley.Node.Tests.Calls;

/// <summary>A link that keeps what it is asked to send.</summary>
internal sealed class FakeLink(DeviceId remote, string name) : IPeerLink
{
    public List<(FrameType Type, byte[] Payload)> Sent { get; } = [];

    public long Number => 1;
    public DeviceId RemoteId => remote;
    public Hello RemoteHello { get; } = new(Hello.CurrentVersion, remote, 0, 0, HelloFlags.Contact, name);
    public LinkDirection Direction => LinkDirection.Outbound;
    public IPEndPoint RemoteEndPoint { get; } = new(IPAddress.Loopback, 5000);
    public bool Relayed => false;
    public bool IsClosed => false;
    public Task<LinkClosed> Closed => new TaskCompletionSource<LinkClosed>().Task;

    /// <summary>The answers sent, read back as the peer would.</summary>
    public IEnumerable<CallAnswer> Answers => Sent.Where(f => f.Type == FrameType.CallAnswer).Select(f => WireMessage.Read<CallAnswer>(f.Payload));

    public bool TrySend(FrameType type, byte[] payload, byte channel = 0)
    {
        Sent.Add((type, payload));
        return true;
    }

    public bool TrySendBulk(FrameType type, byte[] payload) => TrySend(type, payload);

    public ValueTask<bool> SendBulkAsync(FrameType type, byte[] payload, byte channel = 0, CancellationToken cancellationToken = default) => new(TrySend(type, payload));

    public ValueTask<bool> SendBulkAsync(FrameType type, byte[] payload, int length, bool pooled, byte channel = 0, CancellationToken cancellationToken = default) =>
        new(TrySend(type, payload[..length]));

    public Task CloseAsync(CloseCode code, string reason) => Task.CompletedTask;
}

internal sealed class FakeSessions : IPeerSessions
{
    private readonly Dictionary<DeviceId, PeerSession> _sessions = [];

    public IReadOnlyCollection<PeerSession> Sessions => _sessions.Values;

    public PeerSession? Session(DeviceId id) => _sessions.GetValueOrDefault(id);

    /// <summary>A peer with an open session (both sides consent) over a fake link.</summary>
    public (PeerSession Session, FakeLink Link) Add(string name)
    {
        var link = new FakeLink(new DeviceId(RandomNumberGenerator.GetBytes(DeviceId.Size)), name);
        var session = new PeerSession(link, localAccepts: true, remoteAccepts: true);
        _sessions[link.RemoteId] = session;
        return (session, link);
    }
}

internal sealed class FakeMediaSocket : IMediaSocket
{
    public int Port => 40_000;

    public HashSet<uint> Routed { get; } = [];

    public void Register(uint callId, MediaSession session, IPEndPoint peer, Action flooding) => Routed.Add(callId);

    public void Unregister(uint callId) => Routed.Remove(callId);

    public bool Send(IPEndPoint to, ReadOnlyMemory<byte> packet) => true;
}
