using System.Net;
using Parley.Core.Calls;

namespace Parley.Node.Calls;

/// <summary>Where calls send and receive media over UDP (the seam that lets call rules be tested without a socket).</summary>
internal interface IMediaSocket
{
    /// <summary>The UDP port peers send to.</summary>
    int Port { get; }

    /// <summary>Routes the call's datagrams from <paramref name="peer"/> to <paramref name="session"/>; <paramref name="flooding"/> runs once if the peer floods.</summary>
    void Register(uint callId, MediaSession session, IPEndPoint peer, Action flooding);

    void Unregister(uint callId);

    /// <summary>Sends one sealed packet; false when it could not (media is loss-tolerant: nothing is retried).</summary>
    bool Send(IPEndPoint to, ReadOnlyMemory<byte> packet);
}
