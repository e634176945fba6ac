namespace Parley.Core.Protocol;

/// <summary>Frame types of protocol version 1 (see docs/protocol.md). Any other value closes the link.</summary>
public enum FrameType : byte
{
    Hello = 0x01,
    Ping = 0x02,
    Pong = 0x03,
    Close = 0x04,
    Consent = 0x05,
    ChatMessage = 0x10,
    ChatAck = 0x11,
    FileOffer = 0x20,
    OfferAnswer = 0x21,
    FileRequest = 0x22,
    FileBlock = 0x23,
    FileEnd = 0x24,
    FileDone = 0x25,
    TransferCancel = 0x26,
    TransferPause = 0x27,
    VideoListRequest = 0x30,
    VideoList = 0x31,
    VideoRead = 0x32,
    VideoData = 0x33,
    VideoError = 0x34,
    VideoCancel = 0x35,
    DirectoryPublish = 0x40,
    Presence = 0x41,
    WhoisQuery = 0x42,
    WhoisResult = 0x43,
    RelayRequest = 0x44,
    RelayTicket = 0x45,
    RelayRefused = 0x46,
    MailboxPut = 0x47,
    MailboxResult = 0x48,
    MailboxItem = 0x49,
    MailboxAck = 0x4A,
    RoomCommand = 0x50,
    RoomReply = 0x51,
    RoomNotice = 0x52,
    RoomKey = 0x53,
    RoomMessage = 0x54,
    CallInvite = 0x60,
    CallAnswer = 0x61,
    CallEnd = 0x62,
    CallMedia = 0x63,
}

/// <summary>Which send queue a frame goes through: control and chat always go before bulk data.</summary>
public enum FramePriority
{
    Control,
    Bulk,
}
