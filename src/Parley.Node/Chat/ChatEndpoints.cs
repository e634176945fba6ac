using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Parley.Core.Identity;
using Parley.Node.Contacts;
using Parley.Node.Rooms;
using Parley.Node.Storage;

namespace Parley.Node.Chat;

/// <summary>Routes of conversations: send and read a 1:1 chat or a room (<c>%23name</c>), the conversation list, read marks.</summary>
internal static class ChatEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/chat/{peer}", async (string peer, ChatRequest body, PeerLookup lookup, ChatService chat, RoomChat rooms) =>
        {
            if (PeerLookup.IsRoom(peer))
            {
                if (body.ReplyTo is not null)
                {
                    throw new ChatException("replies are for 1:1 conversations; rooms do not carry them yet");
                }
                return Results.Ok(await rooms.SendAsync(Uri.UnescapeDataString(peer), body.Text ?? "").ConfigureAwait(false));
            }
            return Results.Ok(await chat.SendAsync(lookup.Resolve(peer), body.Text ?? "", body.ReplyTo).ConfigureAwait(false));
        });
        api.MapGet("/chat/{peer}", async (string peer, int? limit, long? before, PeerLookup lookup, ChatService chat, RoomChat rooms, Attachments.AttachmentBook attachments) =>
        {
            if (PeerLookup.IsRoom(peer))
            {
                var said = await rooms.HistoryAsync(Uri.UnescapeDataString(peer), limit ?? 100, before ?? long.MaxValue).ConfigureAwait(false);
                return Results.Ok(said);
            }
            var id = lookup.Resolve(peer);
            var messages = await chat.HistoryAsync(id, limit ?? 100, before ?? long.MaxValue).ConfigureAwait(false);
            return Results.Ok((await chat.ViewsAsync(id, messages).ConfigureAwait(false)).Select(attachments.Decorate));
        });
        MessageActionEndpoints.Map(api);
        api.MapGet("/conversations", async (NodeStore store) =>
        {
            var conversations = await store.ConversationsAsync(500).ConfigureAwait(false);
            return conversations.Select(c => new ConversationView(
                c.Peer.StartsWith('#') ? c.Peer : DeviceId.Parse(c.Peer).ToString(),
                c.LastText.Length > 200 ? c.LastText[..200] : c.LastText, c.LastAt, c.LastOutgoing, c.Unread));
        });
        api.MapPost("/conversations/{peer}/read", async (string peer, PeerLookup lookup, NodeStore store) =>
        {
            var key = PeerLookup.IsRoom(peer) ? RoomChat.ConversationKey(Uri.UnescapeDataString(peer)) : lookup.Resolve(peer).Compact;
            await store.MarkReadAsync(key).ConfigureAwait(false);
            return Results.NoContent();
        });
    }
}
