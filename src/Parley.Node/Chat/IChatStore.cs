using Parley.Node.Storage;

namespace Parley.Node.Chat;

/// <summary>The messages table as chat uses it (the seam over <see cref="NodeStore"/> for chat's unit tests).</summary>
public interface IChatStore
{
    /// <summary>Stores a message; false when its ID was already stored for this peer (a resend).</summary>
    Task<bool> InsertMessageAsync(Guid id, string peer, bool outgoing, string text, DateTimeOffset sentAt, MessageState state, string? sender = null);

    /// <summary>Moves an outgoing message on (sent, mailed, delivered); false when it was already there or further.</summary>
    Task<bool> SetOutgoingStateAsync(Guid id, string peer, MessageState state);

    /// <summary>Outgoing messages not yet acknowledged, oldest first.</summary>
    Task<IReadOnlyList<MessageRecord>> PendingOutgoingAsync(string peer);

    Task<IReadOnlyList<MessageRecord>> HistoryAsync(string peer, int limit, long before = long.MaxValue);
}
