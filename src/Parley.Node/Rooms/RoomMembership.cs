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
/// and list them through the hub. On entering (and on each new link to the hub, for every remembered
/// room) the room's policy and each member's proof are checked, a fresh sender key goes to the members
/// admitted, the room's log is synced from our read position, and what the hub never confirmed is
/// posted again. Changes in the room arrive in its log (<see cref="RoomReader"/>, <see cref="RoomNotices"/>);
/// only what concerns a device outside the room comes directly: an invitation, our removal.
/// </summary>
internal sealed class RoomMembership(NodeIdentity identity, RoomCommands commands, RoomBook book, RoomKeys keys, RoomReader reader, RoomChat chat,
    RoomAdmission admission, IHubChannel channel, ILoggerFactory loggerFactory) : IHubClientFeature
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
        var wasIn = book.Find(room) is not null;
        // The room's state exists before the hub lets us in: members send their keys the moment they hear of it.
        await book.OpenAsync(room).ConfigureAwait(false);
        RoomAnswer answer;
        try
        {
            answer = await commands.SendAsync(op, room, blob).ConfigureAwait(false);
        }
        catch
        {
            book.Abandon(room, wasIn);
            throw;
        }
        if (answer.Error is not null)
        {
            book.Abandon(room, wasIn);
            throw new ChatException(answer.Error);
        }
        var state = await book.EnterAsync(room, answer.Members).ConfigureAwait(false);
        try
        {
            // Before any key of ours goes out: the policy and each member's proof.
            await admission.EnterAsync(room, answer.Policy, answer.Members).ConfigureAwait(false);
        }
        catch (ChatException)
        {
            await book.LeaveAsync(room).ConfigureAwait(false);
            throw;
        }
        await reader.ResumeAsync(state).ConfigureAwait(false);
        await keys.RekeyAsync(state).ConfigureAwait(false);
        ulong position;
        lock (state.Lock)
        {
            position = state.Position;
        }
        channel.TrySend(FrameType.RoomSync, new RoomPosition(room, position));
        _ = RepostAsync(state);
        return answer.Members;
    }

    private async Task RepostAsync(RoomState state)
    {
        try
        {
            await chat.RepostAsync(state).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HubUnavailableException or ChatException or InvalidOperationException)
        {
            RoomsLog.RepostFailed(_logger, state.Name, e.Message);
        }
    }

    /// <summary>How long leaving waits for the keys of messages we hold and cannot open yet (once out, nobody answers us). 3 s.</summary>
    public static readonly TimeSpan KeysBeforeLeaving = TimeSpan.FromSeconds(3);

    public async Task LeaveAsync(string room)
    {
        room = RoomNames.Normalize(room);
        await FetchWaitingKeysAsync(room).ConfigureAwait(false);
        var answer = await commands.SendAsync(RoomOp.Leave, room).ConfigureAwait(false);
        await book.LeaveAsync(room).ConfigureAwait(false);
        await admission.LeaveAsync(room).ConfigureAwait(false);
        if (answer.Error is not null)
        {
            throw new ChatException(answer.Error);
        }
    }

    /// <summary>Before leaving: ask now for every key a message we hold waits for, and give the answers a moment.</summary>
    private async Task FetchWaitingKeysAsync(string room)
    {
        if (book.Find(room) is not { } state)
        {
            return;
        }
        keys.AskForMissing(state, now: true);
        var until = DateTime.UtcNow + KeysBeforeLeaving;
        while (HasWaiting(state) && DateTime.UtcNow < until)
        {
            await Task.Delay(100).ConfigureAwait(false);
        }
    }

    private static bool HasWaiting(RoomState state)
    {
        lock (state.Lock)
        {
            return state.Waiting.Count > 0;
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

    /// <summary>Notices sent to this device directly (an invitation, our removal): a malformed one is dropped, not a reason to drop the hub.</summary>
    public ValueTask OnFrameAsync(IPeerLink hub, Frame frame)
    {
        if (RoomNotice.TryRead(frame.Payload, out var notice, out _))
        {
            _ = OnNoticeAsync(notice);
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>We were invited (shown once per invite), or removed (the room leaves our list, with a line saying so).</summary>
    public async Task OnNoticeAsync(RoomNotice notice)
    {
        var (kind, room, member, _) = notice;
        if (kind == RoomNoticeKind.Invited && member == identity.DeviceId && book.Find(room) is null
            && await admission.FirstNewsOfInviteAsync(RoomAdmissionRules.TokenOf(notice.Proof)).ConfigureAwait(false))
        {
            await chat.NoticeAsync(room, notice.By, notice.ByName, kind, $"{notice.ByName} invited you to #{room}: join it with parley room join #{room}").ConfigureAwait(false);
        }
        else if (kind == RoomNoticeKind.Removed && member == identity.DeviceId && book.Find(room) is not null)
        {
            await book.LeaveAsync(room).ConfigureAwait(false);
            await admission.LeaveAsync(room).ConfigureAwait(false);
            await chat.NoticeAsync(room, notice.By, notice.ByName, kind, $"you were removed from #{room} by {notice.ByName}").ConfigureAwait(false);
        }
    }

    /// <summary>After a (re)connection to the hub: rejoin each remembered room (no notice if we are still a member), hand out a fresh key, and sync.</summary>
    public async Task OnHubLinkedAsync(IPeerLink hub)
    {
        foreach (var room in await book.SavedAsync().ConfigureAwait(false))
        {
            try
            {
                await EnterAsync(room, RoomOp.Join, []).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ChatException or InvalidOperationException or HubUnavailableException)
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
