using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Parley.Core.Hub.Rooms;
using Parley.Node.Chat;
using Parley.Node.Api;
using Parley.Node.Storage;

namespace Parley.Node.Rooms;

/// <summary>
/// <c>/api/rooms</c>: the hub's rooms, creating, joining (by invite or link) and leaving them, their
/// members, and what owners do (invite, join links, remove, topic and public). A room's messages are
/// under <c>/api/chat/%23room</c>.
/// </summary>
internal static class RoomsEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/rooms", async (RoomMembership rooms) =>
        {
            var listed = await rooms.ListAsync().ConfigureAwait(false);
            return new RoomsReply([.. listed.Select(r => "#" + r.Name)], [.. rooms.Joined.Select(r => "#" + r)])
            {
                Details = [.. listed.Select(r => new RoomDetails("#" + r.Name, r.Public, r.Topic, r.Members, rooms.Joined.Contains(r.Name)))],
            };
        });
        api.MapPost("/rooms", async (RoomRequest body, RoomMembership rooms, RoomAdmission admission) =>
        {
            var members = await rooms.CreateAsync(body.Name ?? "", body.Public ?? false).ConfigureAwait(false);
            return RoomMemberView.List(members, admission.PolicyOf(RoomNames.Normalize(body.Name ?? "")));
        });
        api.MapPost("/rooms/join-link", async (RoomJoinLinkRequest body, RoomMembership rooms, RoomAdmission admission) =>
        {
            var (room, members) = await rooms.JoinLinkAsync(Required(body.Link, "link")).ConfigureAwait(false);
            return new RoomJoinedReply(RoomChat.ConversationKey(room), RoomMemberView.List(members, admission.PolicyOf(room)));
        });
        api.MapGet("/rooms/{room}", async (string room, RoomOwnership owners, RoomBook book, NodeStore store) =>
        {
            var view = await owners.ViewAsync(Uri.UnescapeDataString(room)).ConfigureAwait(false);
            var name = RoomNames.Normalize(Uri.UnescapeDataString(room));
            if (book.Find(name) is not { } state)
            {
                return view;
            }
            var waiting = (await store.WaitingAsync("#" + name).ConfigureAwait(false)).Count;
            lock (state.Lock)
            {
                return view with { Waiting = waiting, Dropped = state.Dropped, FirstUnread = state.FirstCaughtUp, Position = (long)state.Position };
            }
        });
        api.MapPost("/rooms/{room}/join", async (string room, RoomMembership rooms, RoomAdmission admission) =>
        {
            var members = await rooms.JoinAsync(Uri.UnescapeDataString(room)).ConfigureAwait(false);
            return RoomMemberView.List(members, admission.PolicyOf(RoomNames.Normalize(Uri.UnescapeDataString(room))));
        });
        api.MapPost("/rooms/{room}/leave", async (string room, RoomMembership rooms) =>
        {
            await rooms.LeaveAsync(Uri.UnescapeDataString(room)).ConfigureAwait(false);
            return new RoomLeftReply(RoomChat.ConversationKey(Uri.UnescapeDataString(room)));
        });
        api.MapGet("/rooms/{room}/members", async (string room, RoomMembership rooms, RoomAdmission admission) =>
        {
            var members = await rooms.MembersAsync(Uri.UnescapeDataString(room)).ConfigureAwait(false);
            return RoomMemberView.List(members, admission.PolicyOf(RoomNames.Normalize(Uri.UnescapeDataString(room))));
        });
        api.MapPost("/rooms/{room}/invite", async (string room, RoomMemberRequest body, RoomOwnership owners) =>
        {
            var invitee = await owners.InviteAsync(Uri.UnescapeDataString(room), Required(body.Member, "member")).ConfigureAwait(false);
            return new RoomMemberReply(RoomChat.ConversationKey(Uri.UnescapeDataString(room)), invitee.ToString());
        });
        api.MapPost("/rooms/{room}/invite-link", (string room, RoomOwnership owners) =>
        {
            var (link, expires) = owners.InviteLink(Uri.UnescapeDataString(room));
            return new RoomLinkReply(RoomChat.ConversationKey(Uri.UnescapeDataString(room)), link, expires);
        });
        api.MapPost("/rooms/{room}/remove", async (string room, RoomMemberRequest body, RoomOwnership owners) =>
        {
            var removed = await owners.RemoveAsync(Uri.UnescapeDataString(room), Required(body.Member, "member")).ConfigureAwait(false);
            return new RoomMemberReply(RoomChat.ConversationKey(Uri.UnescapeDataString(room)), removed.ToString());
        });
        api.MapPost("/rooms/{room}/policy", async (string room, RoomPolicyRequest body, RoomOwnership owners) =>
        {
            await owners.SetPolicyAsync(Uri.UnescapeDataString(room), body.Topic, body.Public).ConfigureAwait(false);
            return await owners.ViewAsync(Uri.UnescapeDataString(room)).ConfigureAwait(false);
        });
    }

    private static string Required(string? value, string field) =>
        string.IsNullOrWhiteSpace(value) ? throw new ApiRequestException($"give the {field}") : value;
}
