using Parley.Core.Protocol;

namespace Parley.Core.Chat;

/// <summary>The frames of 1:1 chat.</summary>
public static class ChatFrames
{
    public static IReadOnlyList<FrameSpec> Specs { get; } =
    [
        new(FrameType.ChatMessage, ProtocolLimits.MessageIdSize + 8 + ProtocolLimits.MaxChatTextBytes),
        new(FrameType.ChatAck, ProtocolLimits.MessageIdSize),
    ];
}
