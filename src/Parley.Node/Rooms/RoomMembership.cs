using Microsoft.Extensions.Logging;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Chat;
using Parley.Node.Hub;

namespace Parley.Node.Rooms;

/// <summary>
/// Being in hub rooms: create, join, leave and list them through the hub; on entering (and on each new
/// link to the hub, for every remembered room) hand out a fresh sender key and sync the room's log from
/// our read position, then post again what the hub never confirmed. Who comes and goes arrives in the
/// log (<see cref="RoomReader"/>).
/// </summary>
internal sealed class RoomMembership(RoomCommands commands, RoomBook book, RoomKeys keys, RoomReader reader, RoomChat chat, IHubChannel channel,
    ILoggerFactory loggerFactory) : IHubClientFeature
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("Parley.Rooms");

    public IReadOnlyList<FrameSpec> Frames { get; } = [];

    /// <summary>Rooms this node is in (as of its last word with the hub).</summary>
    public IReadOnlyList<string> Joined => book.Joined;

    public Task<IReadOnlyList<RoomMember>> CreateAsync(string room) => EnterAsync(RoomNames.Normalize(room), RoomOp.Create);

    public Task<IReadOnlyList<RoomMember>> JoinAsync(string room) => EnterAsync(RoomNames.Normalize(room), RoomOp.Join);

    private async Task<IReadOnlyList<RoomMember>> EnterAsync(string room, RoomOp op)
    {
        var wasIn = book.Find(room) is not null;
        // The room's state exists before the hub lets us in: members send their keys the moment they hear of it.
        await book.OpenAsync(room).ConfigureAwait(false);
        RoomAnswer answer;
        try
        {
            answer = await commands.SendAsync(op, room).ConfigureAwait(false);
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

    public ValueTask OnFrameAsync(IPeerLink hub, Frame frame) => ValueTask.CompletedTask;

    /// <summary>After a (re)connection to the hub: rejoin each remembered room (no notice if we are still a member), hand out a fresh key, and sync.</summary>
    public async Task OnHubLinkedAsync(IPeerLink hub)
    {
        foreach (var room in await book.SavedAsync().ConfigureAwait(false))
        {
            try
            {
                await EnterAsync(room, RoomOp.Join).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ChatException or InvalidOperationException or HubUnavailableException)
            {
                RoomsLog.RejoinFailed(_logger, room, e.Message);
            }
        }
    }
}
