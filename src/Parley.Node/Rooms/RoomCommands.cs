using System.Buffers;
using Parley.Core.Hub;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Hub;

namespace Parley.Node.Rooms;

/// <summary>The hub's answer to a room command: an error, or the room names (list) or members (the others).</summary>
internal sealed record RoomAnswer(string? Error, IReadOnlyList<string> Rooms, IReadOnlyList<RoomMember> Members);

/// <summary>Room commands to the hub (create, join, leave, list, members) and their replies.</summary>
internal sealed class RoomCommands(IHubChannel channel, TimeProvider time) : IHubClientFeature
{
    /// <summary>Replies are kept as bytes until the asker reads them: only it knows whether its reply lists rooms or members.</summary>
    private readonly HubExchange<byte[]> _commands = new(channel, time, "the room command");

    public IReadOnlyList<FrameSpec> Frames { get; } = [HubFrameRouter.Spec(FrameType.RoomReply)];

    public async Task<RoomAnswer> SendAsync(RoomOp op, string room)
    {
        var reply = await _commands.AskAsync(FrameType.RoomCommand, id => RoomMessages.Command(id, op, room)).ConfigureAwait(false);
        return RoomMessages.TryDecodeReply(new ReadOnlySequence<byte>(reply), op == RoomOp.List, out _, out var error, out var rooms, out var members)
            ? new RoomAnswer(error, rooms, members)
            : throw new InvalidOperationException("the hub sent a malformed room reply");
    }

    public ValueTask OnFrameAsync(IPeerLink hub, Frame frame)
    {
        var reply = frame.Payload.ToArray();
        if (reply.Length >= 4)
        {
            _commands.TryAnswer(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(reply), reply);
        }
        return ValueTask.CompletedTask;
    }

    public void OnHubLost() => _commands.FailAll();
}
