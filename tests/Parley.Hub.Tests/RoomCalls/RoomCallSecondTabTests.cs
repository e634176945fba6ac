using System.Buffers.Binary;
using System.Net.WebSockets;
using Parley.Core.Calls;
using Parley.Node.RoomCalls;
using Parley.Node.Rooms;
using Parley.Node.Tests;
using Parley.Testing;

namespace Parley.Hub.Tests.RoomCalls;

/// <summary>
/// A second tab takes the call's media: what the first tab still sends (before, or instead of, closing) goes
/// nowhere, so the others never get two pages' frames under one sender's frame numbers.
/// </summary>
public sealed class RoomCallSecondTabTests : HubTestBase
{
    [Fact]
    public async Task MediaChannel_SecondTabAttached_FirstTabsFramesAreNotSent()
    {
        await using var alice = await OnHubAsync("alice");
        await using var bob = await OnHubAsync("bob");
        await TeamOfAsync(alice, bob);
        await alice.Node.Get<RoomCallService>().JoinAsync("#team", video: false);
        await bob.Node.Get<RoomCallService>().JoinAsync("#team", video: false);
        var bobSession = bob.Node.Get<RoomCallService>().Current!;
        var bobPage = bobSession.Attach();
        await Wait.UntilAsync(() => bobSession.Info().Others.Count == 1, "bob sees alice");

        using var first = await MediaChannelAsync(alice);
        using var second = await MediaChannelAsync(alice);
        await Task.Delay(200); // the second has taken the media; the first was told and is not listening
        var got = new List<byte>();
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(3);
        while (DateTime.UtcNow < until && !got.Contains(2))
        {
            await first.SendAsync(Frame(1), WebSocketMessageType.Binary, true, CancellationToken.None);
            await second.SendAsync(Frame(2), WebSocketMessageType.Binary, true, CancellationToken.None);
            await Task.Delay(50);
            while (bobPage.TryRead(out var item))
            {
                if (item is RoomCallFrame frame)
                {
                    got.Add(frame.Frame.Data[0]);
                }
            }
        }
        await Task.Delay(300);
        while (bobPage.TryRead(out var item))
        {
            if (item is RoomCallFrame frame)
            {
                got.Add(frame.Frame.Data[0]);
            }
        }
        Assert.Contains((byte)2, got);
        Assert.DoesNotContain((byte)1, got);
    }

    private static async Task<ClientWebSocket> MediaChannelAsync(TestNode node)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + node.Node.ApiKey);
        await socket.ConnectAsync(new Uri(node.Node.ApiUrl.ToString().Replace("http", "ws", StringComparison.Ordinal) + "api/rooms/team/call/media"), CancellationToken.None);
        return socket;
    }

    private static byte[] Frame(byte mark)
    {
        var bytes = new byte[PageFrame.HeaderSize + 40];
        bytes[2] = 2;
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(3), 960);
        bytes[PageFrame.HeaderSize] = mark;
        return bytes;
    }
}
