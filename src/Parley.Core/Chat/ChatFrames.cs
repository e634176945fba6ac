using Parley.Core.Protocol;

namespace Parley.Core.Chat;

/// <summary>The frames of 1:1 chat.</summary>
public static class ChatFrames
{
    public static IReadOnlyList<FrameSpec> Specs { get; } =
    [
        FrameSpec.Of<ChatMessage>(FrameType.ChatMessage),
        FrameSpec.Of<ChatAck>(FrameType.ChatAck),
        FrameSpec.Of<ChatAction>(FrameType.ChatAction),
    ];
}
