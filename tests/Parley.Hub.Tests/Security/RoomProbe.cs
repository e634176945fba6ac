using System.Diagnostics;
using Parley.Node.Rooms;
using Parley.Node.Storage;
using Parley.Node.Tests;
using Parley.Node.Tests.Security;

namespace Parley.Hub.Tests.Security;

/// <summary>What an attack on the hub must not stop: two members chatting in a room through it, each message there within a second.</summary>
internal static class RoomProbe
{
    public const string Room = "ops";

    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(1);

    private static async Task<bool> HasAsync(TestNode node, string text) =>
        (await node.Node.RoomChat.HistoryAsync(Room, 1000)).Any(m => m.State != MessageState.Notice && m.Text == text);

    /// <summary>Alice makes the room and invites bob, bob joins, and the first message gets through (keys go out on join).</summary>
    public static async Task OpenAsync(TestNode alice, TestNode bob)
    {
        await alice.Node.Rooms.CreateAsync("#" + Room);
        await alice.Node.Get<RoomOwnership>().InviteAsync(Room, bob.Id.ToString());
        await bob.Node.Rooms.JoinAsync(Room);
        await Wait.UntilAsync(async () =>
        {
            if (!await HasAsync(alice, "hello"))
            {
                await alice.Node.RoomChat.SendAsync(Room, "hello");
            }
            return await HasAsync(bob, "hello");
        }, "bob to read alice in the room");
    }

    /// <summary>One message from alice, and how long until bob has it.</summary>
    public static async Task<TimeSpan> OnceAsync(TestNode alice, TestNode bob, string text)
    {
        var clock = Stopwatch.StartNew();
        await alice.Node.RoomChat.SendAsync(Room, text);
        await Wait.UntilAsync(() => HasAsync(bob, text), "bob to read " + text);
        return clock.Elapsed;
    }

    /// <summary>Messages one after another until <paramref name="attack"/> is over (at least three); the slowest.</summary>
    public static Task<TimeSpan> WhileAsync(TestNode alice, TestNode bob, Task attack) =>
        LegitimateChat.WhileAsync(i => OnceAsync(alice, bob, $"still here {i}"), attack);
}
