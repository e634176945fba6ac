using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Parley.Core.Identity;
using Parley.Node.Contacts;
using Parley.Node.Storage;

namespace Parley.Node.Chat;

/// <summary>Routes that act on one 1:1 message (edit, delete for everyone, react), and search across every conversation.</summary>
internal static class MessageActionEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/chat/{peer}/{id:guid}/edit", async (string peer, Guid id, EditRequest body, PeerLookup lookup, ChatService chat) =>
            Results.Ok(await chat.EditAsync(Direct(lookup, peer), id, body.Text ?? "").ConfigureAwait(false)));
        api.MapPost("/chat/{peer}/{id:guid}/delete", async (string peer, Guid id, PeerLookup lookup, ChatService chat) =>
            Results.Ok(await chat.DeleteAsync(Direct(lookup, peer), id).ConfigureAwait(false)));
        api.MapPost("/chat/{peer}/{id:guid}/react", async (string peer, Guid id, ReactRequest body, PeerLookup lookup, ChatService chat) =>
            Results.Ok(await chat.ToggleReactionAsync(Direct(lookup, peer), id, body.Emoji ?? "").ConfigureAwait(false)));
        api.MapGet("/search", async (string? q, int? limit, NodeStore store, ContactBook contacts) =>
        {
            var hits = await store.SearchAsync(q ?? "", Math.Clamp(limit ?? 50, 1, 200)).ConfigureAwait(false);
            return hits.Select(hit => Hit(hit, contacts));
        });
    }

    private static DeviceId Direct(PeerLookup lookup, string peer) => PeerLookup.IsRoom(peer)
        ? throw new ChatException("edits, deletes and reactions are for 1:1 conversations; rooms do not carry them yet")
        : lookup.Resolve(peer);

    private static SearchHit Hit(SearchHitRecord hit, ContactBook contacts)
    {
        var m = hit.Message;
        if (m.Peer.StartsWith('#'))
        {
            return new SearchHit(m.Id, m.Peer, m.Peer, m.Outgoing, m.SentAt, m.Sequence, hit.Snippet);
        }
        var id = DeviceId.Parse(m.Peer);
        return new SearchHit(m.Id, id.ToString(), contacts.Find(id)?.DisplayName ?? id.Short, m.Outgoing, m.SentAt, m.Sequence, hit.Snippet);
    }
}
