using Parley.Core.Identity;
using Parley.Node.Api;
using Parley.Node.Discovery;
using Parley.Node.Links;

namespace Parley.Node.Contacts;

/// <summary>What <c>parley add</c> was given: an invite, a device ID, or the name or ID prefix of a device heard on the LAN.</summary>
internal sealed record AddTarget(DeviceId Id, string? Name, string? Address)
{
    public static AddTarget Parse(AddRequest body, NearbyList nearbyList)
    {
        var target = body.Target?.Trim() ?? throw new ApiRequestException("give a device ID or an invite");
        if (target.StartsWith(Invite.Scheme + "://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Invite.TryParse(target, out var invite, out var error))
            {
                throw new ApiRequestException("bad invite: " + error);
            }
            var addresses = invite!.Addresses.Select(a => a.ToString()).Prepend(body.Address).Where(a => !string.IsNullOrEmpty(a));
            return new(invite.DeviceId, invite.Name, addresses.Any() ? string.Join(',', addresses) : null);
        }
        if (!DeviceId.TryParse(target, out var id))
        {
            var nearby = nearbyList.Current;
            try
            {
                id = PeerResolver.Resolve(target, nearby.Select(n => new PeerCandidate(n.DeviceId, n.Name)));
            }
            catch (PeerNotFoundException e) when (!e.Ambiguous)
            {
                throw new ApiRequestException($"'{target}' is not a device ID (52 base32 characters), an invite (parley://…) or a nearby device");
            }
            var heard = nearby.First(n => n.DeviceId == id);
            var address = heard.Endpoint.ToString();
            return new(id, heard.Name, string.IsNullOrEmpty(body.Address) ? address : body.Address + "," + address);
        }
        if (body.Address is { Length: > 0 } typed && !typed.Contains(':', StringComparison.Ordinal))
        {
            throw new ApiRequestException($"'{typed}' is not host:port");
        }
        // A device ID of a device heard on the LAN: its LAN address is the best one to dial first.
        var lan = nearbyList.Current.FirstOrDefault(n => n.DeviceId == id)?.Endpoint.ToString();
        return new(id, null, LinkManager.MergeAddress(body.Address, lan));
    }
}
