using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Core.Identity;
using Parley.Node.Chat;
using Parley.Node.Rooms;
using Parley.Node.Storage;
using Parley.Node.Tests;

namespace Parley.Hub.Tests;

/// <summary>Rooms of real nodes on a hub: end-to-end encrypted group chat, with rekeying on join and leave.</summary>
public sealed class RoomTests : HubTestBase
{
    private static async Task<List<string>> Texts(TestNode node, string room) =>
        [.. (await node.Node.RoomChat.HistoryAsync(room, 100)).Where(m => m.State != MessageState.Notice).Select(m => m.Text)];

    /// <summary>An owner invites a member by device ID, and it joins.</summary>
    private static async Task InviteAndJoinAsync(TestNode owner, TestNode member, string room)
    {
        await owner.Node.Get<RoomOwnership>().InviteAsync(room, member.Id.ToString());
        await member.Node.Rooms.JoinAsync(room);
    }

    [Fact]
    public async Task ThreeMembers_Chat_ThenOneLeaves_AndCannotReadWhatFollows_AndALateJoinerCannotReadWhatCameBefore()
    {
        await using var alice = await OnHubAsync("alice");
        await using var bob = await OnHubAsync("bob");
        await using var carol = await OnHubAsync("carol");
        await alice.Node.Rooms.CreateAsync("#team");
        await InviteAndJoinAsync(alice, bob, "team");
        await alice.Node.Get<RoomOwnership>().InviteAsync("#team", carol.Id.ToString());
        await carol.Node.Rooms.JoinAsync("#Team");
        Assert.Equal(3, (await alice.Node.Rooms.MembersAsync("team")).Count);

        const string first = "first words 3b9d, for all three";
        await Wait.UntilAsync(async () =>
        {
            // Keys go out on every join; send until both others can read (a message before a key arrives waits for it).
            if ((await Texts(alice, "team")).Count == 0)
            {
                await alice.Node.RoomChat.SendAsync("team", first);
            }
            return (await Texts(bob, "team")).Contains(first) && (await Texts(carol, "team")).Contains(first);
        }, "bob and carol to read alice");
        await bob.Node.RoomChat.SendAsync("team", "bob here");
        await Wait.UntilAsync(async () => (await Texts(alice, "team")).Contains("bob here") && (await Texts(carol, "team")).Contains("bob here"), "alice and carol to read bob");

        await carol.Node.Rooms.LeaveAsync("team");
        await Wait.UntilAsync(async () => (await alice.Node.RoomChat.HistoryAsync("team", 100)).Any(m => m.State == MessageState.Notice && m.Text == "carol left #team"), "the leave notice");
        const string after = "after carol left 51aa";
        await alice.Node.RoomChat.SendAsync("team", after);
        await Wait.UntilAsync(async () => (await Texts(bob, "team")).Contains(after), "bob to read it");
        await Task.Delay(300);
        Assert.DoesNotContain(after, await Texts(carol, "team"));
        await Assert.ThrowsAsync<ChatException>(() => carol.Node.RoomChat.SendAsync("team", "still here?"));

        await using var dave = await OnHubAsync("dave");
        await InviteAndJoinAsync(alice, dave, "team");
        const string later = "for dave too e0c4";
        await Wait.UntilAsync(async () =>
        {
            if (!(await Texts(alice, "team")).Contains(later))
            {
                await alice.Node.RoomChat.SendAsync("team", later);
            }
            return (await Texts(dave, "team")).Contains(later);
        }, "dave to read what came after he joined");
        var davesView = await Texts(dave, "team");
        Assert.DoesNotContain(first, davesView);
        Assert.DoesNotContain(after, davesView);

        // The hub fanned out ciphertext only: none of it is in its store.
        foreach (var file in Directory.EnumerateFiles(HubHome))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var bytes = Encoding.Latin1.GetString(new BinaryReader(stream).ReadBytes((int)stream.Length));
            foreach (var secret in new[] { first, after, later })
            {
                Assert.DoesNotContain(secret, bytes, StringComparison.Ordinal);
            }
        }
        Assert.True(Hub.RoomDeliveries >= 5);
    }

    [Fact]
    public async Task RoomNames_AreChecked_AndDuplicatesRefused()
    {
        await using var alice = await OnHubAsync("alice");
        await Assert.ThrowsAsync<ArgumentException>(() => alice.Node.Rooms.CreateAsync("#bad name!"));
        await alice.Node.Rooms.CreateAsync("ops");
        var error = await Assert.ThrowsAsync<ChatException>(() => alice.Node.Rooms.CreateAsync("OPS"));
        Assert.Contains("exists already", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<ChatException>(() => alice.Node.Rooms.JoinAsync("nowhere"));
        Assert.Contains("ops", (await alice.Node.Rooms.ListAsync()).Select(r => r.Name));
    }

    [Fact]
    public async Task Membership_SurvivesAHubRestart_AndNodesRejoinByThemselves()
    {
        await using var alice = await OnHubAsync("alice");
        await using var bob = await OnHubAsync("bob");
        await alice.Node.Rooms.CreateAsync("club");
        await InviteAndJoinAsync(alice, bob, "club");
        var port = Hub.Port;
        await Hub.DisposeAsync();
        await Wait.UntilAsync(() => !alice.Node.Hub.Connected && !bob.Node.Hub.Connected, "both to notice");
        Hub = StartHub(port);
        await Wait.UntilAsync(() => alice.Node.Hub.Connected && bob.Node.Hub.Connected, "both back");
        await Wait.UntilAsync(async () =>
        {
            if ((await Texts(alice, "club")).Count < 3)
            {
                await alice.Node.RoomChat.SendAsync("club", "back again");
            }
            return (await Texts(bob, "club")).Contains("back again");
        }, "the room to work after the restart");
    }
}
