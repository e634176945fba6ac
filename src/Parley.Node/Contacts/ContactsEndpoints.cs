using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Parley.Core.Identity;
using Parley.Node.Api;
using Parley.Node.Discovery;
using Parley.Node.Hub;
using Parley.Node.Links;
using Parley.Node.Storage;

namespace Parley.Node.Contacts;

/// <summary>Routes for people: who is known and nearby, adding, consent decisions, aliases, safety numbers.</summary>
internal static class ContactsEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/peers", (NearbyList nearby, ContactBook contacts, PeerViews views, HubPresence hub) => new PeersView(
            [.. nearby.Current.Select(n => new NearbyView(n.DeviceId.ToString(), n.Name, n.Endpoint.ToString(), n.LastSeen, contacts.Find(n.DeviceId)?.State))],
            views.In(PeerState.Contact), views.In(PeerState.Request), views.In(PeerState.Blocked),
            HubMemberView.List(hub, contacts)));
        api.MapGet("/requests", (PeerViews views) => views.In(PeerState.Request));
        api.MapPost("/contacts", async (AddRequest body, NearbyList nearby, NodeIdentity identity, LinkManager links, PeerViews views, HubPresence hub) =>
        {
            var target = AddTarget.Parse(body, nearby);
            if (target.Id == identity.DeviceId)
            {
                throw new ApiRequestException("that is this device's own ID");
            }
            // Added by device ID: where the hub says it can be dialed (its router's forwarded port, say) is worth a try before the relay.
            return Results.Ok(views.Of(await links.MakeContactAsync(target.Id, target.Name, target.Address ?? hub.AddressOf(target.Id)).ConfigureAwait(false)));
        });
        api.MapPost("/peers/{peer}/accept", async (string peer, PeerLookup lookup, ContactBook contacts, LinkManager links, PeerViews views) =>
        {
            var id = lookup.ResolveRequest(peer);
            if (contacts.Find(id) is null)
            {
                throw new ApiRequestException($"{id.Short} has not asked to connect; use add");
            }
            return views.Of(await links.MakeContactAsync(id).ConfigureAwait(false));
        });
        api.MapPost("/peers/{peer}/deny", async (string peer, PeerLookup lookup, LinkManager links, PeerViews views) =>
            views.Of(await links.RefuseAsync(lookup.ResolveRequest(peer), PeerState.Denied).ConfigureAwait(false)));
        api.MapPost("/peers/{peer}/block", async (string peer, PeerLookup lookup, LinkManager links, PeerViews views) =>
            views.Of(await links.RefuseAsync(lookup.ResolveToBlock(peer), PeerState.Blocked).ConfigureAwait(false)));
        api.MapPost("/peers/{peer}/rename", async (string peer, RenameRequest body, PeerLookup lookup, ContactBook contacts, PeerViews views) =>
        {
            var id = lookup.Resolve(peer);
            var alias = DisplayNames.Validate(body.Name);
            if (contacts.Find(id) is null)
            {
                throw new ApiRequestException($"{id.Short} is not a known peer");
            }
            return views.Of(await contacts.UpdateAsync(id, r => r with { Alias = alias }).ConfigureAwait(false));
        });
        api.MapPost("/peers/{peer}/verify", (string peer, PeerLookup lookup, ContactBook contacts, PeerViews views, TimeProvider time) =>
            MarkVerifiedAsync(lookup.Resolve(peer), contacts, views, time.GetUtcNow()));
        api.MapPost("/peers/{peer}/unverify", (string peer, PeerLookup lookup, ContactBook contacts, PeerViews views) =>
            MarkVerifiedAsync(lookup.Resolve(peer), contacts, views, null));
        api.MapGet("/peers/{peer}/safety", (string peer, PeerLookup lookup, NodeIdentity identity) =>
        {
            var id = lookup.Resolve(peer);
            return new SafetyView(id.ToString(), identity.DeviceId.ToString(), SafetyNumber.Compute(identity.DeviceId, id));
        });
    }

    /// <summary>Stores that the user checked (or takes back that they checked) a device's safety number; a device must be known first.</summary>
    private static async Task<PeerView> MarkVerifiedAsync(DeviceId id, ContactBook contacts, PeerViews views, DateTimeOffset? at)
    {
        var updated = await contacts.UpdateIfKnownAsync(id, r => r with { VerifiedAt = at }).ConfigureAwait(false)
            ?? throw new ApiRequestException($"{id.Short} is not a known peer");
        return views.Of(updated);
    }
}
