using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Parley.Node.Api;
using Parley.Node.Contacts;

namespace Parley.Node.Hub;

/// <summary><c>/api/hub</c> (the hub in use, and joining one) and <c>/api/whois</c> (directory lookups).</summary>
internal static class HubEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/hub", (HubConnection hub, HubPresence presence, ContactBook contacts) => Reply(hub, presence, contacts));
        api.MapPost("/hub", async (HubJoinRequest body, HubConnection hub, HubPresence presence, ContactBook contacts) =>
        {
            await hub.JoinAsync(body.Invite ?? throw new ApiRequestException("give the hub's invite")).ConfigureAwait(false);
            return Reply(hub, presence, contacts);
        });
        api.MapDelete("/hub", async (HubConnection hub, HubPresence presence, ContactBook contacts) =>
        {
            await hub.LeaveAsync().ConfigureAwait(false);
            return Reply(hub, presence, contacts);
        });
        api.MapGet("/whois", async (string? q, DirectoryLookup directory, ContactBook contacts) =>
        {
            if (string.IsNullOrWhiteSpace(q))
            {
                throw new ApiRequestException("give a name or device ID to look up (q)");
            }
            var answers = await directory.WhoisAsync(q.Trim()).ConfigureAwait(false);
            return answers.Select(a => new WhoisView(a.DeviceId.ToString(), a.Name, a.SignatureValid, a.Online, a.LastSeen, a.IssuedAt,
                Convert.ToBase64String(a.AgreementKey), contacts.Find(a.DeviceId)?.State)).ToList();
        });
    }

    private static HubReply Reply(HubConnection hub, HubPresence presence, ContactBook contacts) =>
        new(hub.Hub?.DeviceId.ToString(), hub.Hub?.ToString(), hub.Connected, HubMemberView.List(presence, contacts), NameOf(hub.Hub));

    private static string? NameOf(Core.Identity.Invite? hub) => hub switch
    {
        null => null,
        { Name: { Length: > 0 } name } when name != "hub" => name,
        { Addresses.Count: > 0 } => hub.Addresses[0].ToString(),
        _ => hub.DeviceId.Short,
    };
}
