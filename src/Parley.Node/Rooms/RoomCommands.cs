using System.Buffers;
using Parley.Core.Hub.Rooms;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Hub;

namespace Parley.Node.Rooms;

/// <summary>The hub's answer to a room command: an error, or the rooms (list) or members and the room's signed policy (the others).</summary>
internal sealed record RoomAnswer(string? Error, IReadOnlyList<RoomListing> Rooms, IReadOnlyList<RoomMember> Members)
{
    public byte[] Policy { get; init; } = [];
}

/// <summary>Room commands to the hub (create, join, leave, list, members; invite, remove, policy) and their replies.</summary>
internal sealed class RoomCommands(IHubChannel channel, TimeProvider time) : IHubClientFeature
{
    /// <summary>Replies are kept as bytes until the asker reads them: only it knows whether its reply lists rooms or members.</summary>
    private readonly HubExchange<byte[]> _commands = new(channel, time, "the room command");

    /// <summary>A reply is a <see cref="RoomMembersReply"/> or a <see cref="RoomListReply"/>: both have the same cap.</summary>
    public IReadOnlyList<FrameSpec> Frames { get; } = [FrameSpec.Of<RoomMembersReply>(FrameType.RoomReply)];

    public async Task<RoomAnswer> SendAsync(RoomOp op, string room, byte[]? blob = null)
    {
        var reply = await _commands.AskAsync(FrameType.RoomCommand, id => RoomCommand.Of(id, op, room, blob ?? [])).ConfigureAwait(false);
        if (op == RoomOp.List)
        {
            return WireMessage.TryRead<RoomListReply>(reply, out var list, out _)
                ? new RoomAnswer(list.Error, list.Rooms, [])
                : throw new InvalidOperationException("the hub sent a malformed room reply");
        }
        return WireMessage.TryRead<RoomMembersReply>(reply, out var members, out _)
            ? new RoomAnswer(members.Error, [], members.Members) { Policy = members.Policy }
            : throw new InvalidOperationException("the hub sent a malformed room reply");
    }

    public ValueTask OnFrameAsync(IPeerLink hub, Frame frame)
    {
        if (RoomReply.TryReadCommandId(frame.Payload, out var commandId))
        {
            _commands.TryAnswer(commandId, frame.Payload.ToArray());
        }
        return ValueTask.CompletedTask;
    }

    public void OnHubLost() => _commands.FailAll();
}
