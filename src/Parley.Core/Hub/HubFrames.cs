using Parley.Core.Attachments;
using Parley.Core.Hub.Directory;
using Parley.Core.Hub.Mailbox;
using Parley.Core.Hub.Presence;
using Parley.Core.Hub.Relay;
using Parley.Core.Hub.Rooms;
using Parley.Core.Hub.UdpRelay;
using Parley.Core.Protocol;
using Parley.Core.Traversal;

namespace Parley.Core.Hub;

/// <summary>The frames between a node and its hub, by hub feature: presence, directory, relay (TCP and UDP), mailbox, rooms and traversal.</summary>
public static class HubFrames
{
    public static IReadOnlyList<FrameSpec> Presence { get; } =
    [
        FrameSpec.Of<PresenceNotice>(FrameType.Presence),
    ];

    public static IReadOnlyList<FrameSpec> Directory { get; } =
    [
        FrameSpec.Of<DirectoryEntry>(FrameType.DirectoryPublish),
        FrameSpec.Of<WhoisQuery>(FrameType.WhoisQuery),
        FrameSpec.Of<WhoisResult>(FrameType.WhoisResult),
    ];

    public static IReadOnlyList<FrameSpec> Relay { get; } =
    [
        FrameSpec.Of<RelayRequest>(FrameType.RelayRequest),
        FrameSpec.Of<RelayTicket>(FrameType.RelayTicket),
        FrameSpec.Of<RelayRefused>(FrameType.RelayRefused),
    ];

    public static IReadOnlyList<FrameSpec> UdpRelay { get; } =
    [
        FrameSpec.Of<UdpRelayAllocate>(FrameType.UdpRelayAllocate),
        FrameSpec.Of<UdpRelayAllocated>(FrameType.UdpRelayAllocated),
        FrameSpec.Of<RelayRefused>(FrameType.UdpRelayRefused),
        FrameSpec.Of<UdpRelayPermit>(FrameType.UdpRelayPermit),
        FrameSpec.Of<UdpRelayRelease>(FrameType.UdpRelayRelease),
        FrameSpec.Of<UdpRelayPermitRefused>(FrameType.UdpRelayPermitRefused),
    ];

    public static IReadOnlyList<FrameSpec> Mailbox { get; } =
    [
        FrameSpec.Of<MailboxPut>(FrameType.MailboxPut),
        FrameSpec.Of<MailboxResult>(FrameType.MailboxResult),
        FrameSpec.Of<MailboxItem>(FrameType.MailboxItem),
        FrameSpec.Of<MailboxAck>(FrameType.MailboxAck),
    ];

    public static IReadOnlyList<FrameSpec> Rooms { get; } =
    [
        FrameSpec.Of<RoomCommand>(FrameType.RoomCommand),
        FrameSpec.Of<RoomMembersReply>(FrameType.RoomReply), // or a RoomListReply: same cap
        FrameSpec.Of<RoomNotice>(FrameType.RoomNotice),
        FrameSpec.Of<RoomKey>(FrameType.RoomKey),
        FrameSpec.Of<RoomMessage>(FrameType.RoomMessage),
        FrameSpec.Of<RoomEntry>(FrameType.RoomEntry),
        FrameSpec.Of<RoomPosted>(FrameType.RoomPosted),
        FrameSpec.Of<RoomPosition>(FrameType.RoomAck),
        FrameSpec.Of<RoomPosition>(FrameType.RoomSync),
        FrameSpec.Of<RoomSyncState>(FrameType.RoomSyncState),
        FrameSpec.Of<RoomKeyRef>(FrameType.RoomKeyAck),
        FrameSpec.Of<RoomKeyRef>(FrameType.RoomKeyRequest),
        FrameSpec.Of<RoomReceipts>(FrameType.RoomReceipts),
    ];

    /// <summary>A node says where its router forwards its peer port (port mapping), for the hub to give out instead of the port it assumed.</summary>
    public static IReadOnlyList<FrameSpec> Traversal { get; } =
    [
        FrameSpec.Of<ReachableAt>(FrameType.ReachableAt),
    ];

    /// <summary>The blob store of attachments (rooms' and offline contacts' ciphertext).</summary>
    public static IReadOnlyList<FrameSpec> Blobs => AttachmentFrames.HubBlobs;

    /// <summary>Room calls through the hub's forwarding unit.</summary>
    public static IReadOnlyList<FrameSpec> RoomCalls => Hub.RoomCalls.RoomCallFrames.Specs;

    public static IReadOnlyList<FrameSpec> Specs { get; } = [.. Presence, .. Directory, .. Relay, .. UdpRelay, .. Mailbox, .. Rooms, .. Traversal, .. Blobs, .. RoomCalls];
}
