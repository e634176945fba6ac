using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Parley.Node.Api;

internal static partial class ApiEndpoints
{
    public sealed record HubJoinRequest(string? Invite);

    private static void MapHub(RouteGroupBuilder api, ParleyNode node)
    {
        api.MapGet("/hub", () => HubJson(node));
        api.MapPost("/hub", async (HubJoinRequest body) =>
        {
            await node.Hub.JoinAsync(body.Invite ?? throw new ApiRequestException("give the hub's invite")).ConfigureAwait(false);
            return HubJson(node);
        });
        api.MapGet("/whois", async (string? q) =>
        {
            if (string.IsNullOrWhiteSpace(q))
            {
                throw new ApiRequestException("give a name or device ID to look up (q)");
            }
            var answers = await node.Hub.WhoisAsync(q.Trim()).ConfigureAwait(false);
            return answers.Select(a => new
            {
                deviceId = a.DeviceId.ToString(),
                name = a.Name,
                signatureValid = a.SignatureValid,
                online = a.Online,
                lastSeen = a.LastSeen,
                issuedAt = a.IssuedAt,
                agreementKey = Convert.ToBase64String(a.AgreementKey),
                contact = node.Contacts.Find(a.DeviceId)?.State,
            });
        });
    }

    private static object HubJson(ParleyNode node) => new
    {
        hub = node.Hub.Hub?.DeviceId.ToString(),
        invite = node.Hub.Hub?.ToString(),
        connected = node.Hub.Connected,
        members = HubMembersJson(node),
    };

    private static IEnumerable<object> HubMembersJson(ParleyNode node) => node.Hub.Members.Select(m => new
    {
        deviceId = m.DeviceId.ToString(),
        name = m.Name,
        online = m.Online,
        lastSeen = m.LastSeen,
        address = m.Address,
        state = node.Contacts.Find(m.DeviceId)?.State,
    });
}
