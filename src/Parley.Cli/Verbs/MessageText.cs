using Parley.Node.Chat;
using Parley.Node.Storage;

namespace Parley.Cli.Verbs;

/// <summary>How a message prints in history and in a live chat, 1:1 or in a room.</summary>
internal static class MessageText
{
    /// <summary>
    /// "[14:02] alice: hi  ✓✓" — ticks: … queued, ✉ at the hub's mailbox, ✓ sent, ✓✓ delivered; in a room,
    /// "✓ 2/3" (delivered to 2 of 3 members); a room message whose key has not come: "[waiting for key from alice]".
    /// </summary>
    public static string Format(MessageView message)
    {
        var when = message.SentAt.ToLocalTime();
        if (message.State is MessageState.Notice or MessageState.Call or MessageState.MissedCall or MessageState.File)
        {
            return $"[{when:HH:mm}] * {TerminalText.Safe(message.Text)}";
        }
        var who = message.Outgoing ? "me" : TerminalText.Safe(message.PeerName);
        if (message.State == MessageState.WaitingForKey)
        {
            return $"[{when:HH:mm}] {who}: [waiting for key from {TerminalText.Safe(message.WaitingFor ?? message.PeerName)}]";
        }
        var ticks = !message.Outgoing ? "" : message is { Delivered: { } delivered, Recipients: { } recipients }
            ? (delivered == recipients ? "  ✓✓" : "  ✓") + $" {delivered}/{recipients}"
            : message.State switch
        {
            MessageState.Queued => "  …",
            MessageState.Mailed => "  ✉",
            MessageState.Sent => "  ✓",
            MessageState.Delivered => "  ✓✓",
            _ => "",
        };
        var text = message.Attachment is { } attachment
            ? $"[{Describe(attachment)}] {message.Id.ToString("N")[..8]}" + (message.Text.Length > 0 ? " " + TerminalText.Safe(message.Text, allowNewlines: true) : "")
            : TerminalText.Safe(message.Text, allowNewlines: true);
        return $"[{when:HH:mm}] {who}: {text}{ticks}";
    }

    /// <summary>"photo.jpg 2.1 MiB", "voice 0:07".</summary>
    public static string Describe(Parley.Node.Attachments.AttachmentView attachment) =>
        attachment is { Kind: Parley.Node.Attachments.AttachmentKind.Voice, DurationMs: { } ms }
            ? $"voice {ms / 60_000}:{ms / 1000 % 60:00}"
            : $"{TerminalText.Safe(attachment.Name)} {Size(attachment.Size)}";

    private static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.#} KiB",
        < 1024L * 1024 * 1024 => $"{bytes / 1048576.0:0.#} MiB",
        _ => $"{bytes / 1073741824.0:0.#} GiB",
    };

    /// <summary>What <c>parley chat peer "text"</c> says once the node took the message.</summary>
    public static string Outcome(MessageView message) => message.State switch
    {
        MessageState.Queued => "queued: it will be delivered when the peer is back",
        MessageState.Mailed => "left at the hub, encrypted to the peer: delivered when it connects",
        _ => "sent",
    };
}
