using Microsoft.Extensions.Logging;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Chat;
using Parley.Node.Hub;

namespace Parley.Node.Rooms;

/// <summary>
/// Being in hub rooms: create, join (by an invite, a join link, or because the room is public), leave
/// and list them through the hub; follow what changes (a notice in the room's timeline, checked
/// against the room's signed policy first, and a new sender key on every join, leave and removal);
/// rejoin every remembered room on each new link to the hub.
/// </summary>
internal sealed class RoomMembership(NodeIdentity identity, RoomCommands commands, RoomBook book, RoomKeys keys, RoomChat chat, RoomAdmission admission,
    ILoggerFactory loggerFactory) : IHubClientFeature
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("Parley.Rooms");

    public IReadOnlyList<FrameSpec> Frames { get; } = [FrameSpec.Of<RoomNotice>(FrameType.RoomNotice)];

    /// <summary>Rooms this node is in (as of its last word with the hub).</summary>
    public IReadOnlyList<string> Joined => book.Joined;

    /// <summary>Makes an invite-only room owned by us; <paramref name="isPublic"/> makes it open to anyone on the hub from the start.</summary>
    public Task<IReadOnlyList<RoomMember>> CreateAsync(string room, bool isPublic = false)
    {
        room = RoomNames.Normalize(room);
        return EnterAsync(room, RoomOp.Create, RoomPolicy.First(identity, room, isPublic).ToArray());
    }

    /// <summary>Joins with the invite an owner left at the hub for us, or because the room is public.</summary>
    public Task<IReadOnlyList<RoomMember>> JoinAsync(string room) => EnterAsync(RoomNames.Normalize(room), RoomOp.Join, []);

    /// <summary>Joins with a <c>parley-room:</c> link an owner made.</summary>
    public async Task<(string Room, IReadOnlyList<RoomMember> Members)> JoinLinkAsync(string link)
    {
        if (!RoomInvite.TryParseLink(link, out var invite))
        {
            throw new ArgumentException($"that is not a room link (one starts with {RoomInvite.LinkPrefix})");
        }
        return (invite.Room, await EnterAsync(invite.Room, RoomOp.Join, invite.ToArray()).ConfigureAwait(false));
    }

    private async Task<IReadOnlyList<RoomMember>> EnterAsync(string room, RoomOp op, byte[] blob)
    {
        var answer = await commands.SendAsync(op, room, blob).ConfigureAwait(false);
        if (answer.Error is not null)
        {
            throw new ChatException(answer.Error);
        }
        // In the book first, so keys others send on our join are kept; then, before any key of ours goes out, the policy and each member's proof are checked.
        var state = await book.EnterAsync(room, answer.Members).ConfigureAwait(false);
        try
        {
            await admission.EnterAsync(room, answer.Policy, answer.Members).ConfigureAwait(false);
        }
        catch (ChatException)
        {
            await book.LeaveAsync(room).ConfigureAwait(false);
            throw;
        }
        await keys.RekeyAsync(state).ConfigureAwait(false);
        return answer.Members;
    }

    public async Task LeaveAsync(string room)
    {
        room = RoomNames.Normalize(room);
        var answer = await commands.SendAsync(RoomOp.Leave, room).ConfigureAwait(false);
        await book.LeaveAsync(room).ConfigureAwait(false);
        await admission.LeaveAsync(room).ConfigureAwait(false);
        if (answer.Error is not null)
        {
            throw new ChatException(answer.Error);
        }
    }

    /// <summary>The hub's rooms: name, public or invite-only, topic, how many members.</summary>
    public async Task<IReadOnlyList<RoomListing>> ListAsync()
    {
        var answer = await commands.SendAsync(RoomOp.List, "list").ConfigureAwait(false);
        return answer.Error is null ? answer.Rooms : throw new ChatException(answer.Error);
    }

    public async Task<IReadOnlyList<RoomMember>> MembersAsync(string room) => (await MembersAndPolicyAsync(room).ConfigureAwait(false)).Members;

    /// <summary>The hub's answer to "who is in it" (a room's members and its signed policy); refused for an invite-only room we are neither in nor invited to.</summary>
    internal async Task<RoomAnswer> MembersAndPolicyAsync(string room)
    {
        var answer = await commands.SendAsync(RoomOp.Members, RoomNames.Normalize(room)).ConfigureAwait(false);
        return answer.Error is null ? answer : throw new ChatException(answer.Error);
    }

    /// <summary>Room frames come from the hub's fan-out: a malformed one is dropped, not a reason to drop the hub.</summary>
    public ValueTask OnFrameAsync(IPeerLink hub, Frame frame)
    {
        if (RoomNotice.TryRead(frame.Payload, out var notice, out _))
        {
            // Not awaited: rekeying asks the hub for directory entries, whose answers arrive on this same link.
            _ = OnNoticeAsync(notice);
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Every room notice comes in here (live from the hub, or from the room's log): a member joined
    /// (admitted only on an owner's word), left or was removed (each a new sender key for the others),
    /// we were invited, or an owner set a new policy (kept only when signed by an owner of the one we hold).
    /// </summary>
    public async Task OnNoticeAsync(RoomNotice notice)
    {
        var (kind, room, member, name) = notice;
        if (kind == RoomNoticeKind.Invited)
        {
            if (member == identity.DeviceId && book.Find(room) is null && await admission.FirstNewsOfInviteAsync(RoomAdmissionRules.TokenOf(notice.Proof)).ConfigureAwait(false))
            {
                await chat.NoticeAsync(room, notice.By, notice.ByName, kind, $"{notice.ByName} invited you to #{room}: join it with parley room join #{room}").ConfigureAwait(false);
            }
            return;
        }
        if (book.Find(room) is not { } state)
        {
            return;
        }
        if (kind == RoomNoticeKind.Removed && member == identity.DeviceId)
        {
            await book.LeaveAsync(room).ConfigureAwait(false);
            await admission.LeaveAsync(room).ConfigureAwait(false);
            await chat.NoticeAsync(room, notice.By, notice.ByName, kind, $"you were removed from #{room} by {notice.ByName}").ConfigureAwait(false);
            return;
        }
        switch (kind)
        {
            case RoomNoticeKind.Joined:
                lock (state.Lock)
                {
                    state.Members[member] = name;
                }
                var refusal = await admission.AdmitAsync(room, member, notice.Proof).ConfigureAwait(false);
                await chat.NoticeAsync(room, member, name, kind, refusal is null ? $"{name} joined #{room}"
                    : $"{name} joined #{room} without an owner's invite ({refusal}): they get no key from you").ConfigureAwait(false);
                break;
            case RoomNoticeKind.Left or RoomNoticeKind.Removed:
                await ForgetAsync(state, member, removed: kind == RoomNoticeKind.Removed).ConfigureAwait(false);
                await chat.NoticeAsync(room, member, name, kind, kind == RoomNoticeKind.Left ? $"{name} left #{room}"
                    : $"{name} was removed from #{room} by {(notice.By == identity.DeviceId ? "you" : notice.ByName)}").ConfigureAwait(false);
                break;
            case RoomNoticeKind.Policy:
                if (WireMessage.TryRead<RoomPolicy>(notice.Proof, out var policy, out _))
                {
                    var before = admission.PolicyOf(room);
                    if (await admission.AcceptPolicyAsync(room, policy).ConfigureAwait(false))
                    {
                        await chat.NoticeAsync(room, notice.By, notice.ByName, kind, RoomPolicyText.Change(before, policy, book.NameOf(room, notice.By))).ConfigureAwait(false);
                    }
                }
                return; // no membership change: no new key
        }
        await keys.RekeyAsync(state).ConfigureAwait(false);
    }

    /// <summary>A member is out: its keys go, and to come back it needs a proof again (a removed member, a new one).</summary>
    internal async Task ForgetAsync(RoomState state, DeviceId member, bool removed)
    {
        lock (state.Lock)
        {
            state.Remove(member);
        }
        await admission.ForgetAsync(state.Name, member, removed).ConfigureAwait(false);
    }

    /// <summary>After a (re)connection to the hub: fetch each room's members again and hand out fresh keys.</summary>
    public async Task OnHubLinkedAsync(IPeerLink hub)
    {
        foreach (var room in await book.SavedAsync().ConfigureAwait(false))
        {
            try
            {
                await EnterAsync(room, RoomOp.Join, []).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ChatException or InvalidOperationException)
            {
                RoomsLog.RejoinFailed(_logger, room, e.Message);
                if (e is ChatException && await IsOutAsync(room).ConfigureAwait(false))
                {
                    // Removed (or the room gone) while we were away: nobody will tell us, so stop showing it as ours.
                    await book.LeaveAsync(room).ConfigureAwait(false);
                    await admission.LeaveAsync(room).ConfigureAwait(false);
                    await chat.NoticeAsync(room, identity.DeviceId, "me", RoomNoticeKind.Removed, $"you are no longer in #{room}: {e.Message}").ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>True when the hub shows the room without us, or will not show it to us at all (a refusal, unlike a busy hub, is no reason to keep waiting).</summary>
    private async Task<bool> IsOutAsync(string room)
    {
        try
        {
            return !(await MembersAsync(room).ConfigureAwait(false)).Any(m => m.DeviceId == identity.DeviceId);
        }
        catch (ChatException)
        {
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
