using Parley.Node.Storage;

namespace Parley.Node.Chat;

/// <summary>The messages table as chat uses it (the seam over <see cref="NodeStore"/> for chat's unit tests).</summary>
public interface IChatStore
{
    /// <summary>Stores a message; false when its ID was already stored for this peer (a resend).</summary>
    Task<bool> InsertMessageAsync(Guid id, string peer, bool outgoing, string text, DateTimeOffset sentAt, MessageState state, string? sender = null, Guid? replyTo = null);

    /// <summary>Moves an outgoing message on (sent, mailed, delivered); false when it was already there or further.</summary>
    Task<bool> SetOutgoingStateAsync(Guid id, string peer, MessageState state);

    /// <summary>Outgoing messages not yet acknowledged, oldest first.</summary>
    Task<IReadOnlyList<MessageRecord>> PendingOutgoingAsync(string peer);

    Task<IReadOnlyList<MessageRecord>> HistoryAsync(string peer, int limit, long before = long.MaxValue);

    Task<MessageRecord?> FindMessageAsync(Guid id, string peer);

    Task<IReadOnlyList<MessageRecord>> MessagesByIdAsync(string peer, IReadOnlyCollection<Guid> ids);

    Task<bool> EditMessageAsync(Guid id, string peer, bool outgoing, string text, DateTimeOffset at);

    Task<bool> DeleteMessageAsync(Guid id, string peer, bool outgoing);

    Task<bool> SetReactionAsync(Guid messageId, string reactor, string emoji, bool active, DateTimeOffset at);

    Task<IReadOnlyList<ReactionRecord>> ReactionsAsync(IReadOnlyCollection<Guid> ids);

    Task InsertActionAsync(Parley.Core.Chat.ChatAction action, string peer, MessageState state);

    Task<bool> SetActionStateAsync(Guid id, string peer, MessageState state);

    Task<IReadOnlyList<ActionRecord>> PendingActionsAsync(string peer);
}
