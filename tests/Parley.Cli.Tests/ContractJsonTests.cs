using System.Text.Json;
using System.Text.Json.Nodes;
using Parley.Core.Links;
using Parley.Node.Api;
using Parley.Node.Chat;
using Parley.Node.Contacts;
using Parley.Node.Events;
using Parley.Node.Hub;
using Parley.Node.Storage;

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
}
