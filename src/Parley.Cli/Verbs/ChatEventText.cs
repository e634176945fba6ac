using Parley.Node.Chat;
using Parley.Node.Links;

namespace Parley.Cli.Verbs;

/// <summary>What a live chat shows of the node's events: the other side's messages and its comings and goings.</summary>
internal static class ChatEventText
{
    /// <summary>
    /// The rooms feature's <c>room.notice</c> event. Its name and record are not among the node's contracts on this
    /// branch yet (they come with the rooms feature's own, as RoomsEvents.Notice and RoomNoticeEvent); until then
    /// the CLI names it here, once.
    /// </summary>
    internal const string RoomNotice = "room.notice";

    /// <summary>The data of <see cref="RoomNotice"/>: who joined or left which room.</summary>
    internal sealed record RoomNoticeData(string Room, string DeviceId, string Name, bool Joined);

    /// <summary>The line to show for an event about <paramref name="conversation"/> (a device ID or "#room"), or null.</summary>
    public static string? Describe(NodeEvent e, string conversation) => e.Type switch
    {
        ChatEvents.Message when e.Read<MessageView>() is { Outgoing: false } message && message.Peer == conversation => MessageText.Format(message),
        RoomNotice when e.Read<RoomNoticeData>() is var notice && notice.Room == conversation =>
            $"* {TerminalText.Safe(notice.Name)} {(notice.Joined ? "joined" : "left")}",
        PeerEvents.Online when e.Read<PeerOnlineEvent>() is var online && online.DeviceId == conversation =>
            $"* {TerminalText.Safe(online.Name)} is online",
        PeerEvents.Offline when e.Read<PeerOfflineEvent>() is var offline && offline.DeviceId == conversation =>
            $"* {TerminalText.Safe(offline.Name)} left ({TerminalText.Safe(offline.Reason)})",
        _ => null,
    };
}
