namespace Parley.Core.Protocol;

/// <summary>
/// Every size the decoder accepts, checked before any payload is buffered.
/// Documented in docs/protocol.md; change both together.
/// </summary>
public static class ProtocolLimits
{
    /// <summary>Bytes before the payload: length (4), type (1), channel (1).</summary>
    public const int HeaderSize = 6;

    /// <summary>Largest payload of any frame type: 1 MiB.</summary>
    public const int MaxPayload = 1 << 20;

    /// <summary>Largest chat text in UTF-8 bytes: 64 KiB.</summary>
    public const int MaxChatTextBytes = 64 * 1024;

    /// <summary>Largest display name in UTF-8 bytes.</summary>
    public const int MaxNameBytes = 64;

    /// <summary>Largest close reason in UTF-8 bytes.</summary>
    public const int MaxCloseReasonBytes = 256;

    public const int MessageIdSize = 16;

    /// <summary>Largest file data in one block: 256 KiB.</summary>
    public const int MaxBlockData = 256 * 1024;

    /// <summary>Most files in one offer; a bigger send must be split. 100,000.</summary>
    public const int MaxOfferFiles = 100_000;

    /// <summary>Longest relative path in an offer, in UTF-8 bytes.</summary>
    public const int MaxPathBytes = 4096;

    /// <summary>The largest payload each known type may carry; null for an unknown type.</summary>
    public static int? MaxPayloadFor(byte type) => (FrameType)type switch
    {
        FrameType.Hello => Hello.MaxSize,
        FrameType.Ping or FrameType.Pong => 8,
        FrameType.Close => 1 + MaxCloseReasonBytes,
        FrameType.Consent => 1,
        FrameType.ChatMessage => MessageIdSize + 8 + MaxChatTextBytes,
        FrameType.ChatAck => MessageIdSize,
        FrameType.FileOffer => MaxPayload,
        FrameType.OfferAnswer => MessageIdSize + 1 + MaxCloseReasonBytes,
        FrameType.FileRequest => MessageIdSize + 4 + 8,
        FrameType.FileBlock => FileBlockHeader.Size + MaxBlockData,
        FrameType.FileEnd => MessageIdSize + 4 + 32,
        FrameType.FileDone => MessageIdSize + 4,
        FrameType.TransferCancel => MessageIdSize + MaxCloseReasonBytes,
        FrameType.TransferPause => MessageIdSize + MaxCloseReasonBytes,
        FrameType.VideoListRequest or FrameType.VideoCancel => 4,
        FrameType.VideoList => MaxPayload,
        FrameType.VideoRead => VideoRead.Size,
        FrameType.VideoData => VideoData.HeaderSize + MaxBlockData,
        FrameType.VideoError => 4 + 1 + MaxCloseReasonBytes,
        FrameType.CallInvite => Calls.CallSignal.InviteSize,
        FrameType.CallAnswer => Calls.CallSignal.AnswerSize + MaxCloseReasonBytes,
        FrameType.CallEnd => 4 + MaxCloseReasonBytes,
        FrameType.CallMedia => Calls.MediaHeader.MaxPacket,
        FrameType.DirectoryPublish => Hub.DirectoryEntry.MaxSize,
        FrameType.Presence => Hub.PresenceNotice.MaxSize,
        FrameType.WhoisQuery => 4 + Hub.HubMessages.MaxQueryBytes,
        FrameType.WhoisResult => 5 + Hub.HubMessages.MaxWhoisResults * (9 + Hub.DirectoryEntry.MaxSize),
        FrameType.RelayRequest => Identity.DeviceId.Size + 4,
        FrameType.RelayTicket => Hub.RelayTicket.Size,
        FrameType.RelayRefused => 4 + MaxCloseReasonBytes,
        FrameType.MailboxPut => 4 + Identity.DeviceId.Size + Hub.MailboxSeal.MaxItemSize,
        FrameType.MailboxResult => 5 + MaxCloseReasonBytes,
        FrameType.MailboxItem => 8 + Hub.MailboxSeal.MaxItemSize,
        FrameType.MailboxAck => 8,
        FrameType.RoomCommand => 5 + 1 + Hub.RoomNames.MaxBytes,
        FrameType.RoomReply => MaxPayload, // up to 1,000 members (about 100 KiB) or 10,000 room names
        FrameType.RoomNotice => 2 + Hub.RoomNames.MaxBytes + Identity.DeviceId.Size + 1 + MaxNameBytes,
        FrameType.RoomKey => 1 + Hub.RoomNames.MaxBytes + Identity.DeviceId.Size * 2 + 2 + 2048,
        FrameType.RoomMessage => 1 + Hub.RoomNames.MaxBytes + Identity.DeviceId.Size + 12 + 16 + 4 + MaxChatTextBytes + 24 + 1 + 72,
        _ => null,
    };
}
