using System.Buffers;
using System.Net;
using System.Text;
using Parley.Core.Hub.Directory;
using Parley.Core.Hub.Mailbox;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Node.Chat;
using Parley.Node.Rooms;
using Parley.Node.Storage;
using Parley.Node.Tests;
using Parley.Testing;

namespace Parley.Hub.Tests;

/// <summary>
/// The room log: a member away while messages are said gets them all, in order, when it is back (also
/// across a hub restart); retention drops the oldest and says so; a member's share of the log is
/// bounded with a clear error; keys are asked for and handed over only for what the asker may read;
/// forged entries and keys are dropped and counted.
/// </summary>
public sealed class RoomLogTests : HubTestBase
{
    private int _hubPort;

    protected override HubOptions Options(int port) => base.Options(port) with { RoomLogMaxBytesPerRoom = 64 << 10, RoomLogMaxBytesPerMember = 48 << 10 };

    private static async Task<List<MessageView>> Said(TestNode node, string room) =>
        [.. (await node.Node.RoomChat.HistoryAsync(room, 10_000)).Where(m => m.State != MessageState.Notice)];

    private async Task<(TestNode Alice, TestNode Bob)> PairAsync(string bobHome)
    {
        var alice = await OnHubAsync("alice");
        var bob = await OnHubAsync("bob", bobHome);
        await alice.Node.Rooms.CreateAsync("team", isPublic: true);
        await bob.Node.Rooms.JoinAsync("team");
        return (alice, bob);
    }

    [Fact]
    public async Task MemberAway_GetsEverySaidMessage_InOrder_AcrossAHubRestart_AndDeliveryCountsFollow()
    {
        var bobHome = Directory.CreateTempSubdirectory("parley-bob-").FullName;
        var (alice, bob) = await PairAsync(bobHome);
        await using var _ = alice;
        await bob.DisposeAsync(); // away

        for (var i = 1; i <= 40; i++)
        {
            var sent = await alice.Node.RoomChat.SendAsync("team", $"while away {i}");
            Assert.Null(sent.Warning);
            Assert.Equal((0, 1), (sent.Delivered, sent.Recipients));
        }
        // The hub restarts on the same home and port: what it acknowledged is on its disk.
        _hubPort = Hub.Port;
        await Hub.DisposeAsync();
        Hub = StartHub(_hubPort);
        await Wait.UntilAsync(() => Hub.Online.Contains(alice.Id), "alice back on the hub");

        await using var bobAgain = await OnHubAsync("bob", bobHome);
        await Wait.UntilAsync(async () => (await Said(bobAgain, "team")).Count == 40, "bob to catch up");
        Assert.Equal(Enumerable.Range(1, 40).Select(i => $"while away {i}"), (await Said(bobAgain, "team")).Select(m => m.Text));
        await Wait.UntilAsync(async () => (await Said(alice, "team")).All(m => m.Delivered == 1), "alice to see every message delivered");
    }

    [Fact]
    public async Task RetentionDropsTheOldest_AndTheMemberAwayIsToldOfTheGap_AndAMembersShareIsBounded()
    {
        var bobHome = Directory.CreateTempSubdirectory("parley-bob-").FullName;
        var (alice, bob) = await PairAsync(bobHome);
        await using var __ = alice;
        await bob.DisposeAsync();

        // Each message is about 1.3 KiB sealed: alice's 48 KiB share fills at about 36 of them, with a clear error.
        var text = new string('x', 1200);
        var refusal = "";
        for (var i = 1; i <= 60 && refusal.Length == 0; i++)
        {
            try
            {
                await alice.Node.RoomChat.SendAsync("team", $"{i} {text}");
            }
            catch (ChatException e)
            {
                refusal = e.Message;
            }
        }
        Assert.Contains("of messages kept in #team, the most one member may", refusal, StringComparison.Ordinal);

        // Another member's messages then pass the room's 64 KiB: the oldest go, and bob, back, is told.
        await using var carol = await OnHubAsync("carol");
        await carol.Node.Rooms.JoinAsync("team");
        for (var i = 1; i <= 30; i++)
        {
            await carol.Node.RoomChat.SendAsync("team", $"carol {i} {text}");
        }
        await using var bobAgain = await OnHubAsync("bob", bobHome);
        await Wait.UntilAsync(async () => (await bobAgain.Node.RoomChat.HistoryAsync("team", 500)).Any(m => m.Text.Contains("dropped by the hub's retention", StringComparison.Ordinal)),
            "bob to be told of the gap");
        await Wait.UntilAsync(async () => (await Said(bobAgain, "team")).Any(m => m.Text.StartsWith("carol 30 ", StringComparison.Ordinal)), "bob to get the newest");
    }

    [Fact]
    public async Task KeyRequests_AreAnsweredOnlyForMessagesPlacedAfterTheAskerJoined_AndOnlySoOften()
    {
        await using var alice = await OnHubAsync("alice");
        await alice.Node.Rooms.CreateAsync("team", isPublic: true);
        await alice.Node.RoomChat.SendAsync("team", "before eve");
        var book = alice.Node.Get<RoomBook>();
        var before = Assert.Single(book.Find("team")!.MyKeys.Keys);

        // Eve: a stranger's own client that joins, reads the room, and asks for keys.
        await using var eve = await AttackerLink.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Hub.Port), "eve");
        using var eveKey = AgreementKey.CreateEphemeral();
        await eve.SendAsync(FrameType.DirectoryPublish, DirectoryEntry.Create(eve.Identity, "eve", eveKey.PublicKey, DateTimeOffset.UtcNow));
        await eve.SendAsync(FrameType.RoomCommand, new RoomCommand(1, RoomOp.Join, "team"));
        await eve.SendAsync(FrameType.RoomSync, new RoomPosition("team", 0));
        await Wait.UntilAsync(() => book.Find("team")!.MyKeys.Count == 2, "alice to rekey for eve");
        var after = book.Find("team")!.MyKeys.Keys.Single(k => k != before);
        await alice.Node.RoomChat.SendAsync("team", "after eve joined");

        // Asking for the key of a message from before her join gets nothing; of one after, the key from that message on.
        var keys = alice.Node.Get<RoomKeys>();
        await eve.SendAsync(FrameType.RoomKeyRequest, new RoomKeyRef("team", alice.Id, eve.Identity.DeviceId, before, 1));
        await Wait.UntilAsync(() => keys.Refused == 1, "alice to refuse the key of before");
        await eve.SendAsync(FrameType.RoomKeyRequest, new RoomKeyRef("team", alice.Id, eve.Identity.DeviceId, after, 1));
        var handed = new List<SenderKeyItem>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (handed.Count < 2 && DateTime.UtcNow < deadline)
        {
            if (await eve.ReadFrameAsync(TimeSpan.FromSeconds(1)) is { Type: FrameType.RoomKey } frame
                && RoomKey.TryRead(frame.Payload, out var roomKey, out _)
                && MailboxSeal.TryOpen(roomKey.Item, eveKey, eve.Identity.DeviceId, SealPurpose.RoomKey, out _, out var plain, out _))
            {
                handed.Add(WireMessage.Read<SenderKeyItem>(plain));
            }
        }
        Assert.True(handed.Count == 2, $"refused {keys.Refused}, handed {handed.Count}");
        Assert.Equal([after, after], handed.Select(k => k.KeyId)); // once on the rekey, once on request
        Assert.DoesNotContain(handed, k => k.KeyId == before);

        // Past twenty requests in ten seconds, she is refused.
        for (var i = 0; i < 25; i++)
        {
            await eve.SendAsync(FrameType.RoomKeyRequest, new RoomKeyRef("team", alice.Id, eve.Identity.DeviceId, after, 1));
        }
        await Wait.UntilAsync(() => keys.Refused >= 7, "alice to refuse past the rate");
    }

    [Fact]
    public async Task ForgedEntry_IsDroppedAndCounted_AndAReplayIsStoredOnce()
    {
        var (alice, bob) = await PairAsync(Directory.CreateTempSubdirectory("parley-bob-").FullName);
        await using var a = alice;
        await using var b = bob;
        const string secret = "the real one 7f3e";
        await alice.Node.RoomChat.SendAsync("team", secret);
        await Wait.UntilAsync(async () => (await Said(bob, "team")).Any(m => m.Text == secret), "bob to read alice");
        var state = bob.Node.Get<RoomBook>().Find("team")!;
        var stored = Hub.RoomEntries("team").Last(e => e.Kind == RoomEntryKind.Message);

        // As a hub that lies would: the same entry again at a later place, then one with a flipped byte.
        var inbox = bob.Node.Get<RoomInbox>();
        var head = state.Position;
        await inbox.OnFrameAsync(null!, Frame(stored with { Seq = head + 1 }));
        var forged = stored.Body.ToArray();
        forged[40] ^= 1;
        await inbox.OnFrameAsync(null!, Frame(stored with { Seq = head + 2, Body = forged }));
        await Wait.UntilAsync(() => state.Dropped == 1 && state.Position == head + 2, "bob to read both");
        Assert.Single(await Said(bob, "team"), m => m.Text == secret);

        // One under a made-up key ID: not kept as "waiting for key", and alice is not asked for a key she never made.
        var madeUp = stored.Body.ToArray();
        madeUp[0] ^= 0x5A;
        await inbox.OnFrameAsync(null!, Frame(stored with { Seq = head + 3, Body = madeUp }));
        await Wait.UntilAsync(() => state.Dropped == 2 && state.Position == head + 3, "bob to read the made-up one");
        Assert.Empty(state.Waiting);
        Assert.DoesNotContain(await bob.Node.RoomChat.HistoryAsync("team", 10_000), m => m.State == MessageState.WaitingForKey);

        // A key "from alice" that is not sealed by her: dropped and counted too.
        var fake = new RoomKey("team", alice.Id, bob.Id, 42, [.. Enumerable.Repeat((byte)7, 300)]);
        await inbox.OnFrameAsync(null!, new Parley.Core.Protocol.Frame(FrameType.RoomKey, 0, new ReadOnlySequence<byte>(fake.ToArray())));
        await Wait.UntilAsync(() => state.Dropped == 3, "bob to drop the fake key");
        Assert.DoesNotContain(state.Keys.Keys, k => k.KeyId == 42);
        foreach (var file in Directory.EnumerateFiles(HubHome))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            Assert.DoesNotContain(secret, Encoding.Latin1.GetString(new BinaryReader(stream).ReadBytes((int)stream.Length)), StringComparison.Ordinal);
        }
    }

    private static Parley.Core.Protocol.Frame Frame(RoomEntry entry) => new(FrameType.RoomEntry, 0, new ReadOnlySequence<byte>(entry.ToArray()));
}
