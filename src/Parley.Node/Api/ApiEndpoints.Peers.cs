using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Parley.Core.Identity;
using Parley.Node.Storage;

namespace Parley.Node.Api;

internal static partial class ApiEndpoints
{
    public sealed record AddRequest(string? Target, string? Address);

    public sealed record RenameRequest(string? Name);

    private static void MapPeers(RouteGroupBuilder api, ParleyNode node)
    {
        api.MapGet("/peers", () => new
        {
            nearby = node.Nearby.Current.Select(n => new
            {
                deviceId = n.DeviceId.ToString(),
                name = n.Name,
                address = n.Endpoint.ToString(),
                lastSeen = n.LastSeen,
                state = node.Contacts.Find(n.DeviceId)?.State,
            }),
            contacts = PeersIn(node, PeerState.Contact),
            requests = PeersIn(node, PeerState.Request),
            blocked = PeersIn(node, PeerState.Blocked),
            hub = Hub.HubMemberView.List(node.HubMembers, node.Contacts),
        });
        api.MapGet("/requests", () => PeersIn(node, PeerState.Request));
        api.MapPost("/contacts", async (AddRequest body) =>
        {
            var (id, name, address) = ParseAddTarget(node, body);
            if (id == node.DeviceId)
            {
                throw new ApiRequestException("that is this device's own ID");
            }
            var record = await node.Links.MakeContactAsync(id, name, address).ConfigureAwait(false);
            return Results.Ok(PeerJson(node, record));
        });
        api.MapPost("/peers/{peer}/accept", async (string peer) =>
        {
            var id = Resolve(node, peer);
            if (node.Contacts.Find(id) is null)
            {
                throw new ApiRequestException($"{id.Short} has not asked to connect; use add");
            }
            return PeerJson(node, await node.Links.MakeContactAsync(id).ConfigureAwait(false));
        });
        api.MapPost("/peers/{peer}/deny", async (string peer) =>
            PeerJson(node, await node.Links.RefuseAsync(Resolve(node, peer), PeerState.Denied).ConfigureAwait(false)));
        api.MapPost("/peers/{peer}/block", async (string peer) =>
            PeerJson(node, await node.Links.RefuseAsync(Resolve(node, peer), PeerState.Blocked).ConfigureAwait(false)));
        api.MapPost("/peers/{peer}/rename", async (string peer, RenameRequest body) =>
        {
            var id = Resolve(node, peer);
            var alias = ValidName(body.Name);
            if (node.Contacts.Find(id) is null)
            {
                throw new ApiRequestException($"{id.Short} is not a known peer");
            }
            return PeerJson(node, await node.Contacts.UpdateAsync(id, r => r with { Alias = alias }).ConfigureAwait(false));
        });
        api.MapGet("/peers/{peer}/safety", (string peer) =>
        {
            var id = Resolve(node, peer);
            return new { deviceId = id.ToString(), ourDeviceId = node.DeviceId.ToString(), safetyNumber = SafetyNumber.Compute(node.DeviceId, id) };
        });
        api.MapPost("/name", async (RenameRequest body) =>
        {
            await node.SetNameAsync(ValidName(body.Name)).ConfigureAwait(false);
            return new { name = node.Name };
        });
    }

    /// <summary>An invite, a device ID, or the name or ID prefix of a device heard on the LAN.</summary>
    private static (DeviceId Id, string? Name, string? Address) ParseAddTarget(ParleyNode node, AddRequest body)
    {
        var target = body.Target?.Trim() ?? throw new ApiRequestException("give a device ID or an invite");
        if (target.StartsWith(Invite.Scheme + "://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Invite.TryParse(target, out var invite, out var error))
            {
                throw new ApiRequestException("bad invite: " + error);
            }
            var addresses = invite!.Addresses.Select(a => a.ToString()).Prepend(body.Address).Where(a => !string.IsNullOrEmpty(a));
            return (invite.DeviceId, invite.Name, addresses.Any() ? string.Join(',', addresses) : null);
        }
        if (!DeviceId.TryParse(target, out var id))
        {
            var nearby = node.Nearby.Current;
            try
            {
                id = Contacts.PeerResolver.Resolve(target, nearby.Select(n => new Contacts.PeerCandidate(n.DeviceId, n.Name)));
            }
            catch (Contacts.PeerNotFoundException e) when (!e.Ambiguous)
            {
                throw new ApiRequestException($"'{target}' is not a device ID (52 base32 characters), an invite (parley://…) or a nearby device");
            }
            var heard = nearby.First(n => n.DeviceId == id);
            return (id, heard.Name, LinkManagerAddress(body.Address, heard.Endpoint.ToString()));
        }
        if (body.Address is { Length: > 0 } address && !address.Contains(':', StringComparison.Ordinal))
        {
            throw new ApiRequestException($"'{address}' is not host:port");
        }
        return (id, null, body.Address);
    }

    private static string LinkManagerAddress(string? typed, string heard) =>
        string.IsNullOrEmpty(typed) ? heard : typed + "," + heard;

    private static string ValidName(string? name)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length == 0 || System.Text.Encoding.UTF8.GetByteCount(trimmed) > Core.Protocol.ProtocolLimits.MaxNameBytes
            || trimmed.Any(char.IsControl))
        {
            throw new ApiRequestException($"a name is 1 to {Core.Protocol.ProtocolLimits.MaxNameBytes} bytes of text without control characters");
        }
        return trimmed;
    }

    private static IEnumerable<object> PeersIn(ParleyNode node, PeerState state) =>
        node.Contacts.All.Where(p => p.State == state).OrderBy(p => p.DisplayName, StringComparer.OrdinalIgnoreCase).Select(p => PeerJson(node, p));

    private static object PeerJson(ParleyNode node, PeerRecord p)
    {
        var id = DeviceId.Parse(p.DeviceId);
        var session = node.Links.Session(id);
        return new
        {
            deviceId = id.ToString(),
            name = p.DisplayName,
            remoteName = p.RemoteName,
            alias = p.Alias,
            state = p.State,
            online = session is not null,
            acceptsUs = session?.RemoteAccepts,
            link = session is null ? null : session.Link.Relayed ? "relayed" : "direct",
            direction = session?.Link.Direction,
            address = p.Address,
            lastSeen = session is not null ? node.Options.TimeProvider.GetUtcNow() : p.LastSeen,
        };
    }
}
