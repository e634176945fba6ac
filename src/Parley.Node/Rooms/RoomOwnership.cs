using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Node.Chat;
using Parley.Node.Contacts;
using Parley.Node.Hub;

namespace Parley.Node.Rooms;

/// <summary>
/// What an owner does to a room: invite a device (the hub keeps the signed invite for it) or make a
/// join link, remove a member (everyone rekeys), set the topic or make the room public (a new signed
/// policy); and the room as anyone allowed to see it sees it (<see cref="RoomView"/>).
/// </summary>
internal sealed class RoomOwnership(NodeIdentity identity, RoomCommands commands, RoomBook book, RoomChat chat, RoomAdmission admission,
    RoomMembership membership, RoomNotices notices, PeerLookup peers, IWhois whois, TimeProvider time)
{
    /// <summary>How long an invite for one device holds. 7 days.</summary>
    public static readonly TimeSpan InviteLifetime = TimeSpan.FromDays(7);

    /// <summary>How long a join link holds (anyone holding it may join until then). 24 hours.</summary>
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromHours(24);

    /// <summary>Invites <paramref name="member"/> (a contact or directory name, or a device ID): the hub keeps the invite and tells the invitee.</summary>
    public async Task<DeviceId> InviteAsync(string room, string member)
    {
        room = OwnedRoom(room);
        var invitee = await ResolveAsync(room, member).ConfigureAwait(false);
        var invite = RoomInvite.Create(identity, room, invitee, time.GetUtcNow() + InviteLifetime);
        await AskAsync(RoomOp.Invite, room, invite.ToArray()).ConfigureAwait(false);
        return invitee;
    }

    /// <summary>A <c>parley-room:</c> link: whoever holds it may join until it expires. Made here, signed by us; the hub sees it only when used.</summary>
    public (string Link, DateTimeOffset ExpiresAt) InviteLink(string room)
    {
        room = OwnedRoom(room);
        var invite = RoomInvite.Create(identity, room, invitee: null, time.GetUtcNow() + LinkLifetime);
        return (invite.ToLink(), invite.ExpiresAt);
    }

    /// <summary>Removes a member (by its name in the room, a contact or directory name, or a device ID); the others and we rekey.</summary>
    public async Task<DeviceId> RemoveAsync(string room, string member)
    {
        room = OwnedRoom(room);
        var target = await ResolveAsync(room, member).ConfigureAwait(false);
        if (target == identity.DeviceId)
        {
            throw new ChatException("to leave a room you own, use leave");
        }
        await AskAsync(RoomOp.Remove, room, target.Bytes.ToArray()).ConfigureAwait(false);
        if (book.Find(room) is { } state)
        {
            // Out at once here (no key of ours to it); the line and everyone's new keys come with the removal in the room's log.
            await notices.ForgetAsync(state, target, removed: true).ConfigureAwait(false);
        }
        return target;
    }

    /// <summary>A new policy with the topic and public flag changed as given (null: unchanged), signed by us; every member is told.</summary>
    public async Task<RoomPolicy> SetPolicyAsync(string room, string? topic, bool? isPublic)
    {
        room = OwnedRoom(room);
        var current = admission.PolicyOf(room)!;
        var next = RoomPolicy.Create(identity, room, current.Version + 1, isPublic ?? current.Public, topic?.Trim() ?? current.Topic, current.Owners);
        await AskAsync(RoomOp.Policy, room, next.ToArray()).ConfigureAwait(false);
        // The hub's notice of it may have been read from the log first (and made the line): one line either way.
        if (await admission.AcceptPolicyAsync(room, next).ConfigureAwait(false))
        {
            await chat.NoticeAsync(room, identity.DeviceId, "me", RoomNoticeKind.Policy, RoomPolicyText.Change(current, next, "me")).ConfigureAwait(false);
        }
        return next;
    }

    /// <summary>
    /// The room as we may see it: topic, public or invite-only, owners, members with online state. For
    /// a room we are in, the policy is the one we checked; else the hub's, shown only if it is signed
    /// by one of its own owners.
    /// </summary>
    public async Task<RoomView> ViewAsync(string room)
    {
        room = RoomNames.Normalize(room);
        var answer = await membership.MembersAndPolicyAsync(room).ConfigureAwait(false);
        var policy = admission.PolicyOf(room);
        if (policy is null && WireMessage.TryRead<RoomPolicy>(answer.Policy, out var offered, out _) && offered.Room == room && offered.IsSelfSigned())
        {
            policy = offered;
        }
        var owners = policy?.Owners ?? [];
        var members = answer.Members.Select(m => new RoomMemberView(m.DeviceId.ToString(), m.Name, m.Online) { Owner = owners.Contains(m.DeviceId) }).ToList();
        return new RoomView(RoomChat.ConversationKey(room), policy?.Topic ?? "", policy?.Public ?? false, [.. owners.Select(o => o.ToString())], members,
            owners.Contains(identity.DeviceId), book.Find(room) is not null);
    }

    /// <summary>The normalized room, if we are in it and own it by the policy we checked; else why not.</summary>
    private string OwnedRoom(string room)
    {
        room = RoomNames.Normalize(room);
        if (book.Find(room) is null)
        {
            throw new ChatException($"you are not in #{room}");
        }
        return admission.IsOwner(room, identity.DeviceId) ? room : throw new ChatException($"only an owner of #{room} may do that");
    }

    private async Task AskAsync(RoomOp op, string room, byte[] blob)
    {
        var answer = await commands.SendAsync(op, room, blob).ConfigureAwait(false);
        if (answer.Error is not null)
        {
            throw new ChatException(answer.Error);
        }
    }

    /// <summary>A device ID; a member's name in the room; a contact's name; or a name in the hub's directory (with a valid signature, one device only).</summary>
    private async Task<DeviceId> ResolveAsync(string room, string text)
    {
        text = Uri.UnescapeDataString(text).Trim();
        if (DeviceId.TryParse(text, out var id))
        {
            return id;
        }
        if (book.Find(room) is { } state)
        {
            List<DeviceId> named;
            lock (state.Lock)
            {
                named = [.. state.Members.Where(m => string.Equals(m.Value, text, StringComparison.OrdinalIgnoreCase)).Select(m => m.Key)];
            }
            if (named.Count == 1)
            {
                return named[0];
            }
        }
        try
        {
            return peers.Resolve(text);
        }
        catch (PeerNotFoundException e) when (!e.Ambiguous)
        {
            var found = (await whois.WhoisAsync(text).ConfigureAwait(false))
                .Where(a => a.SignatureValid && (string.Equals(a.Name, text, StringComparison.OrdinalIgnoreCase) || a.DeviceId.Compact.StartsWith(DeviceId.Normalize(text), StringComparison.Ordinal)))
                .Select(a => a.DeviceId).Distinct().ToList();
            return found.Count switch
            {
                1 => found[0],
                0 => throw new PeerNotFoundException($"no contact, room member or device on the hub is called '{text}'"),
                _ => throw new PeerNotFoundException($"{found.Count} devices on the hub are called '{text}': give a device ID", ambiguous: true),
            };
        }
    }
}
