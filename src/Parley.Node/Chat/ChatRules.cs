namespace Parley.Node.Chat;

/// <summary>What may be done to a 1:1 message after it was sent, checked by the sender's node and again by the receiver's.</summary>
public static class ChatRules
{
    /// <summary>Whether a conversation entry is a message people wrote (which actions may change), not a file, call or notice.</summary>
    public static bool IsMessage(Storage.MessageState state) => state is Storage.MessageState.Queued or Storage.MessageState.Sent
        or Storage.MessageState.Delivered or Storage.MessageState.Received or Storage.MessageState.Mailed;

    /// <summary>How long after sending its sender may edit a message: 15 minutes.</summary>
    public static readonly TimeSpan EditWindow = TimeSpan.FromMinutes(15);

    /// <summary>How long after sending its sender may delete a message for everyone: 24 hours.</summary>
    public static readonly TimeSpan DeleteWindow = TimeSpan.FromHours(24);

    /// <summary>The reactions on offer. Anything else is refused, so a reaction cannot smuggle text.</summary>
    public static IReadOnlyList<string> Reactions { get; } = ["👍", "❤️", "😂", "😮", "😢", "🎉"];

    /// <summary>The longest a quote shows of the quoted message, in characters.</summary>
    public const int QuoteLength = 200;

    /// <summary>"15 min" / "24 h", for refusals a person reads.</summary>
    public static string Describe(TimeSpan span) => span.TotalHours >= 1 ? $"{span.TotalHours:0} h" : $"{span.TotalMinutes:0} min";
}
