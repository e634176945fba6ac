using System.Net;
using Parley.Core.Calls;

namespace Parley.Node.Calls;

/// <summary>Where calls send and receive media over UDP (the seam that lets call rules be tested without a socket).</summary>
internal interface IMediaSocket
{
    /// <summary>The UDP port peers send to.</summary>
    int Port { get; }

    /// <summary>
    /// Routes the call's datagrams from <paramref name="peer"/> to <paramref name="session"/>;
    /// <paramref name="flooding"/> runs once if the peer floods. With no peer address (the path is
    /// chosen by checks), datagrams from any address that open with the call's key count, and
    /// <paramref name="heard"/> is told where each came from.
    /// </summary>
    void Register(uint callId, MediaSession session, IPEndPoint? peer, Action flooding, Action<IPEndPoint>? heard = null);

    /// <summary>The address and port <paramref name="server"/> (STUN) sees this socket from, or null if it does not answer in time.</summary>
    Task<IPEndPoint?> LearnPublicAsync(IPEndPoint server, TimeSpan timeout);

    void Unregister(uint callId);

    /// <summary>Sends one sealed packet; false when it could not (media is loss-tolerant: nothing is retried).</summary>
    bool Send(IPEndPoint to, ReadOnlyMemory<byte> packet);
}
