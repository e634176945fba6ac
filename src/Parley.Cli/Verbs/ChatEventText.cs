using Parley.Node.Chat;
using Parley.Node.Links;
using Parley.Node.Rooms;

namespace Parley.Cli.Verbs;

/// <summary>What a live chat shows of the node's events: the other side's messages and its comings and goings.</summary>
internal static class ChatEventText
{
    /// <summary>The line to show for an event about <paramref name="conversation"/> (a device ID or "#room"), or null.</summary>
    public static string? Describe(NodeEvent e, string conversation) => e.Type switch
    {
        ChatEvents.Message when e.Read<MessageView>() is { Outgoing: false } message && message.Peer == conversation => MessageText.Format(message),
        RoomsEvents.Notice when e.Read<RoomNoticeEvent>() is var notice && notice.Room == conversation =>
            notice.Text.Length > 0 ? $"* {TerminalText.Safe(notice.Text)}" : $"* {TerminalText.Safe(notice.Name)} {(notice.Joined ? "joined" : "left")}",
        PeerEvents.Online when e.Read<PeerOnlineEvent>() is var online && online.DeviceId == conversation =>
            $"* {TerminalText.Safe(online.Name)} is online",
        PeerEvents.Offline when e.Read<PeerOfflineEvent>() is var offline && offline.DeviceId == conversation =>
            $"* {TerminalText.Safe(offline.Name)} left ({TerminalText.Safe(offline.Reason)})",
        _ => null,
    };
}
