using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Node.Links;

namespace Parley.Node.Files;

/// <summary>Reaching a transfer's peer from outside a frame handler (an API call, a timer).</summary>
internal static class TransferSessions
{
    /// <summary>The open session with the transfer's peer, or null while it is offline (the transfer waits for it).</summary>
    public static PeerSession? OpenSessionWith(this IPeerSessions sessions, Transfer transfer) =>
        DeviceId.TryParse(transfer.Peer, out var id) && sessions.Session(id) is { IsOpen: true } session ? session : null;

    /// <summary>Queues a control frame for the transfer's peer if it is online; else nothing (it is told again when it returns).</summary>
    public static void TrySend<T>(this IPeerSessions sessions, Transfer transfer, FrameType type, T message) where T : IWireMessage<T> =>
        sessions.OpenSessionWith(transfer)?.Link.TrySend(type, message.ToArray());

    /// <summary>Queues a control frame on a session.</summary>
    public static bool Send<T>(this PeerSession session, FrameType type, T message) where T : IWireMessage<T> =>
        session.Link.TrySend(type, message.ToArray());
}
