using System.Text.Json;
using System.Text.Json.Nodes;
using Parley.Core.Links;
using Parley.Core.Videos;
using Parley.Node.Api;
using Parley.Node.Chat;
using Parley.Node.Contacts;
using Parley.Node.Events;
using Parley.Node.Files;
using Parley.Node.Hub;
using Parley.Node.Rooms;
using Parley.Node.Storage;
using Parley.Node.Videos;

namespace Parley.Cli.Tests;

/// <summary>
/// <c>--json</c> prints the node's reply: read into the node's record and written back, every field the node
/// wrote comes out with the same name and value (nulls included), and nothing is added.
/// </summary>
public sealed class ContractJsonTests
{
    private const string Bob = "NGEH-EXF7-GNCA-2HHR-T3NJ-CXWA-M77N-KQHP-5W3K-6R4P-XE3O-5ECS-IAQA";
    private static readonly DateTimeOffset When = new(2026, 11, 28, 1, 26, 0, 501, TimeSpan.Zero);

    private static void AssertPrintedAsTheNodeWroteIt<T>(T reply) where T : notnull
    {
        var nodeJson = JsonSerializer.Serialize(reply, EventHub.Json);
        var output = new StringWriter();
        var context = new CliContext(CliArgs.Parse(["--json"], [], ["--json"]), "/nonexistent", output, TextWriter.Null);
        context.WriteJson(JsonSerializer.Deserialize<T>(nodeJson, EventHub.Json)!);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(nodeJson), JsonNode.Parse(output.ToString())), $"node: {nodeJson}\ncli: {output}");
    }

    private static PeerView Contact(bool online) => online
        ? new(Bob, "bobby", "bob", "bobby", PeerState.Contact, true, true, "direct", LinkDirection.Outbound, "127.0.0.1:36711", When)
        : new(Bob, "NGEHEXF7", "", null, PeerState.Request, false, null, null, null, null, null);

    [Fact]
    public void Peers_PrintedAsTheNodeWroteThem() => AssertPrintedAsTheNodeWroteIt(new PeersView(
        [new NearbyView(Bob, "bob", "192.0.2.7:7701", When, null)], [Contact(online: true)], [Contact(online: false)], [],
        [new HubMemberView(Bob, "bob", false, When, "hub", PeerState.Blocked)]));

    [Fact]
    public void Requests_Added_AndDecidedPeers_PrintedAsTheNodeWroteThem()
    {
        AssertPrintedAsTheNodeWroteIt<IReadOnlyList<PeerView>>([Contact(online: false), Contact(online: true)]);
        AssertPrintedAsTheNodeWroteIt(Contact(online: true));
    }

    [Fact]
    public void Messages_PrintedAsTheNodeWroteThem()
    {
        var message = new MessageView(Guid.NewGuid(), Bob, null, null, "bobby", true, "hello <bob> & é ✓", When, MessageState.Mailed, 3);
        AssertPrintedAsTheNodeWroteIt<IReadOnlyList<MessageView>>([message, message with { Warning = "the hub is unreachable", State = MessageState.Queued }]);
    }

    [Fact]
    public void NodeReplies_PrintedAsTheNodeWroteThem()
    {
        AssertPrintedAsTheNodeWroteIt(new NodeStatus(Bob, "alice", 7701, "http://127.0.0.1:7702", false, "/home/alice/.parley", 3));
        AssertPrintedAsTheNodeWroteIt(new InviteView("parley://NGEHEXF7?name=bob&addr=127.0.0.1:7701"));
        AssertPrintedAsTheNodeWroteIt(new SafetyView(Bob, Bob, "12345 67890 12345 67890 12345 67890"));
    }

    [Fact]
    public void FileReplies_PrintedAsTheNodeWroteThem()
    {
        var moving = new TransferInfo(Guid.Empty.ToString(), "00000000", Bob, "bob", TransferDirection.Incoming, TransferState.Active, null, "/home/alice/Downloads",
            "holiday", 3, 1, 3_000_000, 1_234_567, 1_048_576.5, 1.75, new CurrentFileInfo(1, "holiday/b.jpg", 1_000_000, 234_567), When);
        var ended = moving with { State = TransferState.Failed, Error = "the peer went away", Folder = null, Title = null, EtaSeconds = null, CurrentFile = null };
        AssertPrintedAsTheNodeWroteIt<IReadOnlyList<TransferInfo>>([moving, ended]);
        AssertPrintedAsTheNodeWroteIt<IReadOnlyList<TransferDetail>>([new TransferDetail(moving, [new TransferFileInfo("holiday/a.jpg", 1_000_000, true, "/tmp/a.jpg"),
            new TransferFileInfo("holiday/b.jpg", 1_000_000, false, null)])]);
        AssertPrintedAsTheNodeWroteIt(new SendResult(moving, ["holiday/link"]));
        AssertPrintedAsTheNodeWroteIt(new SettingsView("/home/alice/Downloads", true, [Bob]));
    }

    [Fact]
    public void HubRoomAndVideoReplies_PrintedAsTheNodeWroteThem()
    {
        AssertPrintedAsTheNodeWroteIt<IReadOnlyList<WhoisView>>([new WhoisView(Bob, "bob", true, false, When, When, "AAEC", PeerState.Contact),
            new WhoisView(Bob, "bob", false, true, When, When, "AAEC", null)]);
        AssertPrintedAsTheNodeWroteIt(new RoomsReply(["#team", "#ops"], ["#team"]));
        AssertPrintedAsTheNodeWroteIt<IReadOnlyList<RoomMemberView>>([new RoomMemberView(Bob, "bob", true)]);
        AssertPrintedAsTheNodeWroteIt(new RoomLeftReply("#team"));
        AssertPrintedAsTheNodeWroteIt(new VideoSharingStatus("/home/alice/Videos", false, new Dictionary<string, bool> { [Bob] = true, ["OTHER"] = false },
            4, 6, 1, 123_456_789, 2, 5, 1));
        var variant = new PeerVideo("0123", "dog.mp4", 5_000_000, "mp4", 12.5, "h264", 1280, 720, null, null, null, "720p", 2_000_000, "video/mp4", "api/peers/bob/videos/0123");
        AssertPrintedAsTheNodeWroteIt(new PeerVideoLibrary(Bob, [new PeerVideoTitle("dog", [variant, variant with { AudioCodec = "aac", Channels = 2, SampleRate = 48_000 }])],
            [new UnreadableVideo("cat.mkv", 10, "no video stream")], Truncated: false));
        AssertPrintedAsTheNodeWroteIt(new PlayLinkCreated("http://127.0.0.1:7702/play/TOKEN/dog.mp4", "dog.mp4", "720p", variant));
    }
}
