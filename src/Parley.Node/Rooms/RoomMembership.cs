using Microsoft.Extensions.Logging;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Chat;
using Parley.Node.Hub;

namespace Parley.Node.Rooms;

/// <summary>
/// Being in hub rooms: create, join, leave and list them through the hub; follow who comes and goes
/// (a notice in the room's timeline, and a new sender key each time); rejoin every remembered room
/// on each new link to the hub.
/// </summary>
internal sealed class RoomMembership(RoomCommands commands, RoomBook book, RoomKeys keys, RoomChat chat, ILoggerFactory loggerFactory) : IHubClientFeature
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("Parley.Rooms");

    public IReadOnlyList<FrameSpec> Frames { get; } = [FrameSpec.Of<RoomNotice>(FrameType.RoomNotice)];

    /// <summary>Rooms this node is in (as of its last word with the hub).</summary>
    public IReadOnlyList<string> Joined => book.Joined;

    public Task<IReadOnlyList<RoomMember>> CreateAsync(string room) => EnterAsync(RoomNames.Normalize(room), RoomOp.Create);

    public Task<IReadOnlyList<RoomMember>> JoinAsync(string room) => EnterAsync(RoomNames.Normalize(room), RoomOp.Join);

    private async Task<IReadOnlyList<RoomMember>> EnterAsync(string room, RoomOp op)
    {
        var answer = await commands.SendAsync(op, room).ConfigureAwait(false);
        if (answer.Error is not null)
        {
            throw new ChatException(answer.Error);
        }
        var state = await book.EnterAsync(room, answer.Members).ConfigureAwait(false);
        await keys.RekeyAsync(state).ConfigureAwait(false);
        return answer.Members;
    }

    public async Task LeaveAsync(string room)
    {
        room = RoomNames.Normalize(room);
        var answer = await commands.SendAsync(RoomOp.Leave, room).ConfigureAwait(false);
        await book.LeaveAsync(room).ConfigureAwait(false);
        if (answer.Error is not null)
        {
            throw new ChatException(answer.Error);
        }
    }

    public async Task<IReadOnlyList<string>> ListAsync()
    {
        var answer = await commands.SendAsync(RoomOp.List, "list").ConfigureAwait(false);
        return answer.Error is null ? answer.Rooms : throw new ChatException(answer.Error);
    }

    public async Task<IReadOnlyList<RoomMember>> MembersAsync(string room)
    {
        var answer = await commands.SendAsync(RoomOp.Members, RoomNames.Normalize(room)).ConfigureAwait(false);
        return answer.Error is null ? answer.Members : throw new ChatException(answer.Error);
    }

    /// <summary>Room frames come from the hub's fan-out: a malformed one is dropped, not a reason to drop the hub.</summary>
    public ValueTask OnFrameAsync(IPeerLink hub, Frame frame)
    {
        if (RoomNotice.TryRead(frame.Payload, out var notice, out _))
        {
            // Not awaited: rekeying asks the hub for directory entries, whose answers arrive on this same link.
            _ = OnNoticeAsync(notice.Joined, notice.Room, notice.Member, notice.Name);
        }
        return ValueTask.CompletedTask;
    }

    private async Task OnNoticeAsync(bool joined, string room, DeviceId member, string name)
    {
        if (book.Find(room) is not { } state)
        {
            return;
        }
        lock (state.Lock)
        {
            if (joined)
            {
                state.Members[member] = name;
            }
            else
            {
                state.Remove(member);
            }
        }
        await chat.NoticeAsync(room, member, name, joined).ConfigureAwait(false);
        await keys.RekeyAsync(state).ConfigureAwait(false);
    }

    /// <summary>After a (re)connection to the hub: fetch each room's members again and hand out fresh keys.</summary>
    public async Task OnHubLinkedAsync(IPeerLink hub)
    {
        foreach (var room in await book.SavedAsync().ConfigureAwait(false))
        {
            try
            {
                await EnterAsync(room, RoomOp.Join).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ChatException or InvalidOperationException)
            {
                RoomsLog.RejoinFailed(_logger, room, e.Message);
            }
        }
    }
}
