using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Parley.Core.Identity;
using Parley.Node.Contacts;
using Parley.Node.Events;
using Parley.Node.Storage;

namespace Parley.Node.Chat;

/// <summary>
/// What happened in a 1:1 conversation besides messages: calls (held, missed) and file transfers.
/// Each is a row of the conversation's history, so it keeps its place among the messages, counts
/// as unread when it should, and survives a restart; it is written here only and never sent.
/// </summary>
internal sealed class ConversationEntries(IChatStore store, ContactBook contacts, EventHub events)
{
    /// <summary>
    /// Registers it once for the modules that write entries (chat, calls, files), each of which may be
    /// composed without the others; the store is the node's (not a registration the container would dispose).
    /// </summary>
    public static void AddTo(IServiceCollection services) => services.TryAddSingleton(sp =>
        new ConversationEntries(sp.GetRequiredService<NodeStore>(), sp.GetRequiredService<ContactBook>(), sp.GetRequiredService<EventHub>()));

    /// <summary>Stores the entry and shows it on the pages (a <c>message</c> event); false when <paramref name="id"/> was already stored.</summary>
    public async Task<bool> AddAsync(Guid id, DeviceId peer, bool outgoing, string text, DateTimeOffset at, MessageState state)
    {
        if (!await store.InsertMessageAsync(id, peer.Compact, outgoing, text, at, state).ConfigureAwait(false))
        {
            return false;
        }
        var record = new MessageRecord(id, peer.Compact, outgoing, text, at, state, 0);
        events.Publish(ChatEvents.Message, () => MessageView.Direct(record, contacts));
        return true;
    }
}
