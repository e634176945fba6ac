using Parley.Core.Hub.RoomCalls;
using Parley.Node.RoomCalls;
using Parley.Node.Rooms;
using Parley.Node.Tests;
using Parley.Testing;

namespace Parley.Hub.Tests.RoomCalls;

/// <summary>
/// Real nodes: a sender's layered video (the L1T3 pattern, through <see cref="RoomCallMember.SendMedia"/>)
/// reaches the hub with its layers, and a receiver's node reports every 500 ms; on a clean path the
/// hub keeps every layer for it.
/// </summary>
public sealed class RoomCallNodeLayerTests : HubTestBase
{
    [Fact]
    public async Task ANodeReports_AndOnACleanPathGetsEveryLayerItsSenderSends()
    {
        await using var alice = await OnHubAsync("alice");
        await using var bob = await OnHubAsync("bob");
        await TeamOfAsync(alice, bob);
        var (sender, receiver) = (alice.Node.Get<RoomCallMember>(), bob.Node.Get<RoomCallMember>());
        await sender.JoinAsync("team", RoomCallMedia.Audio | RoomCallMedia.Video);
        await receiver.JoinAsync("team", RoomCallMedia.Audio | RoomCallMedia.Video);
        await Wait.UntilAsync(() => sender.Others().Count == 1 && receiver.Others().Count == 1 && sender.KeyId is not null, "both in the call");

        var layers = new[] { 0, 2, 1, 2 };
        var (opened, sent) = (0, 0);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        for (var frame = 0; clock.Elapsed < TimeSpan.FromSeconds(3); frame++, sent++)
        {
            sender.SendMedia(RoomCallHop.VideoStream, new byte[400], keyframe: frame == 0, layer: (byte)layers[frame % 4]);
            await Task.Delay(33);
            while (receiver.Received.TryRead(out _))
            {
                opened++;
            }
        }
        // What is still on its way (a loaded machine runs late), then the count: every layer means nearly every part sent.
        await Wait.UntilAsync(() =>
        {
            while (receiver.Received.TryRead(out _))
            {
                opened++;
            }
            return opened >= sent * 9 / 10;
        }, $"bob opens 90% of the {sent} parts alice sent");
        var hubSide = Hub.RoomCalls.CallOf(bob.Id)!.Value;
        var aliceOnHub = Hub.RoomCalls.CallOf(alice.Id)!.Value.Participant;
        Assert.Equal(2, aliceOnHub.TopLayer);
        Assert.True(hubSide.Participant.Layers.Reports >= 4, $"{hubSide.Participant.Layers.Reports} reports in 3 s");
        Assert.True(hubSide.Participant.Layers.Loss < RoomCallLayers.DownLoss, $"loss {hubSide.Participant.Layers.Loss:P0}");
        Assert.True(hubSide.Participant.Layers.Cap(aliceOnHub.Id) >= 2);
        Assert.Equal(0, Hub.RoomCalls.Skipped);
        Assert.True(sent > 30, $"only {sent} parts sent in 3 s");
    }
}
