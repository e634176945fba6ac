using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Hub;

/// <summary>The frames between a node and its hub: directory, presence, relay, mailbox and rooms.</summary>
public static class HubFrames
{
    public static IReadOnlyList<FrameSpec> Specs { get; } =
    [
        new(FrameType.DirectoryPublish, DirectoryEntry.MaxSize),
        new(FrameType.Presence, PresenceNotice.MaxSize),
        new(FrameType.WhoisQuery, 4 + HubMessages.MaxQueryBytes),
        new(FrameType.WhoisResult, 5 + HubMessages.MaxWhoisResults * (9 + DirectoryEntry.MaxSize)),
        new(FrameType.RelayRequest, DeviceId.Size + 4),
        new(FrameType.RelayTicket, RelayTicket.Size),
        new(FrameType.RelayRefused, 4 + ProtocolLimits.MaxCloseReasonBytes),
        new(FrameType.MailboxPut, 4 + DeviceId.Size + MailboxSeal.MaxItemSize),
        new(FrameType.MailboxResult, 5 + ProtocolLimits.MaxCloseReasonBytes),
        new(FrameType.MailboxItem, 8 + MailboxSeal.MaxItemSize),
        new(FrameType.MailboxAck, 8),
        new(FrameType.RoomCommand, 5 + 1 + RoomNames.MaxBytes),
        new(FrameType.RoomReply, ProtocolLimits.MaxPayload), // up to 1,000 members (about 100 KiB) or 10,000 room names
        new(FrameType.RoomNotice, 2 + RoomNames.MaxBytes + DeviceId.Size + 1 + ProtocolLimits.MaxNameBytes),
        new(FrameType.RoomKey, 1 + RoomNames.MaxBytes + DeviceId.Size * 2 + 2 + 2048),
        new(FrameType.RoomMessage, 1 + RoomNames.MaxBytes + DeviceId.Size + 12 + 16 + 4 + ProtocolLimits.MaxChatTextBytes + 24 + 1 + 72),
    ];
}
