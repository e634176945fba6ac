using System.Net;
using Parley.Core.Calls;
using Parley.Node.Calls;

namespace Parley.Node.Tests.Calls;

/// <summary>A media socket that only notes which calls are routed: the signalling rules need no UDP.</summary>
internal sealed class FakeMediaSocket : IMediaSocket
{
    public int Port => 40_000;

    public HashSet<uint> Routed { get; } = [];

    public void Register(uint callId, MediaSession session, IPEndPoint? peer, Action flooding, Action<IPEndPoint>? found = null) => Routed.Add(callId);

    public Task<IPEndPoint?> LearnPublicAsync(IPEndPoint server, TimeSpan timeout) => Task.FromResult<IPEndPoint?>(null);

    public void Unregister(uint callId) => Routed.Remove(callId);

    /// <summary>Where each datagram went.</summary>
    public List<IPEndPoint> Sent { get; } = [];

    public bool Send(IPEndPoint to, ReadOnlyMemory<byte> packet)
    {
        Sent.Add(to);
        return true;
    }
}
