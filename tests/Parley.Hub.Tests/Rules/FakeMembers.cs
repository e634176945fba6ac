using System.Buffers;
using System.Net;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;

namespace Parley.Hub.Tests.Rules;

/// <summary>A member's link that records what the hub sends it, for testing one hub feature without sockets.</summary>
internal sealed class FakeLink(DeviceId id, string name = "member") : IPeerLink
{
    private readonly TaskCompletionSource<LinkClosed> _closed = new();

    public List<(FrameType Type, byte[] Payload)> Sent { get; } = [];

    public long Number => 1;

    public DeviceId RemoteId { get; } = id;

    public Hello RemoteHello { get; } = new(Hello.CurrentVersion, id, 0, 0, HelloFlags.None, name);

    public LinkDirection Direction => LinkDirection.Inbound;

    public IPEndPoint RemoteEndPoint { get; } = new(IPAddress.Loopback, 1);

    public bool Relayed => false;

    public bool IsClosed => _closed.Task.IsCompleted;

    public Task<LinkClosed> Closed => _closed.Task;

    /// <summary>The messages of <paramref name="type"/> sent to this member, read back.</summary>
    public List<T> Received<T>(FrameType type) where T : IWireMessage<T> =>
        [.. Sent.Where(f => f.Type == type).Select(f => WireMessage.Read<T>(f.Payload))];

    public bool TrySend(FrameType type, byte[] payload, byte channel = 0)
    {
        Sent.Add((type, payload));
        return !IsClosed;
    }

    public bool TrySendBulk(FrameType type, byte[] payload) => TrySend(type, payload);

    public ValueTask<bool> SendBulkAsync(FrameType type, byte[] payload, byte channel = 0, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(TrySend(type, payload));

    public ValueTask<bool> SendBulkAsync(FrameType type, byte[] payload, int length, bool pooled, byte channel = 0, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(TrySend(type, payload[..length]));

    public Task CloseAsync(CloseCode code, string reason)
    {
        _closed.TrySetResult(new LinkClosed(code, reason, ByRemote: false));
        return Task.CompletedTask;
    }
}

/// <summary>Members online made of fake links, with the hub's own limits.</summary>
internal sealed class FakeMembers(HubOptions options)
{
    public MemberRegistry Registry { get; } = new();

    /// <summary>A member of a fresh device, or of <paramref name="identity"/> when the test signs for it.</summary>
    public (Member Member, FakeLink Link) Join(string name, NodeIdentity? identity = null)
    {
        var link = new FakeLink(identity?.DeviceId ?? RandomDevice(), name);
        var member = new Member(link, "", new MemberLimits(options));
        Registry.Add(member);
        return (member, link);
    }

    private static DeviceId RandomDevice() => new(System.Security.Cryptography.RandomNumberGenerator.GetBytes(DeviceId.Size));

    public static Frame FrameOf<T>(FrameType type, T message) where T : IWireMessage<T> => new(type, 0, new ReadOnlySequence<byte>(message.ToArray()));
}
