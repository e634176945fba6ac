using Parley.Cli.Verbs;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Rooms;
using Parley.Node.Chat;
using Parley.Node.Links;
using Parley.Node.Storage;

namespace Parley.Cli.Tests.Verbs;

/// <summary>What a live chat shows of events, read from the JSON the node's own event hub writes.</summary>
public sealed class ChatEventTextTests
{
    private const string Bob = "NGEH-EXF7-GNCA-2HHR-T3NJ-CXWA-M77N-KQHP-5W3K-6R4P-XE3O-5ECS-IAQA";
    private const string Carol = "VAYK-VF5R-5EKA-N6HC-GRLV-36SV-ETY4-SADD-SJWH-2W4C-3UBT-E74J-27IQ";

    private static MessageView Message(string peer, bool outgoing, string text = "hi \u001b[31m") =>
        new(Guid.NewGuid(), peer, null, null, "bob", outgoing, text, new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero), outgoing ? MessageState.Sent : MessageState.Received, 7);

    [Fact]
    public void Message_FromThePeer_IsShown_WithControlCharactersEscaped()
    {
        var line = ChatEventText.Describe(PublishedEvents.Read(ChatEvents.Message, Message(Bob, outgoing: false)), Bob);
        Assert.NotNull(line);
        Assert.EndsWith("] bob: hi \\u001b[31m", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Message_OursOrOfAnotherConversation_IsNotShown()
    {
        Assert.Null(ChatEventText.Describe(PublishedEvents.Read(ChatEvents.Message, Message(Bob, outgoing: true)), Bob));
        Assert.Null(ChatEventText.Describe(PublishedEvents.Read(ChatEvents.Message, Message(Carol, outgoing: false)), Bob));
        Assert.Null(ChatEventText.Describe(PublishedEvents.Read(ChatEvents.Delivered, new DeliveredEvent(Guid.NewGuid(), Bob)), Bob));
    }

    [Fact]
    public void RoomMessage_IsShown_InThatRoomOnly()
    {
        var said = Message("#lounge", outgoing: false, "hello room") with { Room = "#lounge", Sender = Bob };
        Assert.EndsWith("] bob: hello room", ChatEventText.Describe(PublishedEvents.Read(ChatEvents.Message, said), "#lounge"), StringComparison.Ordinal);
        Assert.Null(ChatEventText.Describe(PublishedEvents.Read(ChatEvents.Message, said), "#other"));
    }

    [Fact]
    public void PeerComingAndGoing_IsShown_WithTheReason()
    {
        Assert.Equal("* bob is online", ChatEventText.Describe(PublishedEvents.Read(PeerEvents.Online, new PeerOnlineEvent(Bob, "bob", LinkDirection.Inbound, true)), Bob));
        Assert.Equal("* bob left (shutting down)",
            ChatEventText.Describe(PublishedEvents.Read(PeerEvents.Offline, new PeerOfflineEvent(Bob, "bob", CloseCode.Shutdown, "shutting down", true)), Bob));
        Assert.Null(ChatEventText.Describe(PublishedEvents.Read(PeerEvents.Online, new PeerOnlineEvent(Carol, "carol", LinkDirection.Outbound, true)), Bob));
    }

    [Fact]
    public void RoomNotice_SaysWhoJoinedOrLeft()
    {
        var left = PublishedEvents.Read(RoomsEvents.Notice, new RoomNoticeEvent("#lounge", Bob, "bob", Joined: false));
        Assert.Equal("* bob left", ChatEventText.Describe(left, "#lounge"));
        Assert.Null(ChatEventText.Describe(left, Bob));
    }
}
