using Parley.Core.Tests;
using Parley.Core.Hub.RoomCalls;
using Parley.Node.RoomCalls;

namespace Parley.Hub.Tests.RoomCalls;

/// <summary>
/// Packets waiting for their sender's key are charged to that sender: one participant sending under a key it
/// never hands out (or a burst far bigger than a keyframe) drops its own oldest, never another's.
/// </summary>
public sealed class RoomCallAwaitingKeyTests
{
    [Fact]
    public void Keep_OneSenderFloods_AnothersPacketStillOpensWhenItsKeyComes()
    {
        var time = new ManualTimeProvider();
        var waiting = new RoomCallAwaitingKey();
        waiting.Keep(Header(source: 2), Body(keyId: 5), time.GetTimestamp(), time);
        for (var i = 0; i < RoomCallAwaitingKey.Capacity * 2; i++)
        {
            waiting.Keep(Header(source: 1), Body(keyId: 9), time.GetTimestamp(), time);
        }
        Assert.Single(waiting.Take(2, 5, time.GetTimestamp(), time));
        Assert.Equal(RoomCallAwaitingKey.Capacity, waiting.Take(1, 9, time.GetTimestamp(), time).Count);
        Assert.Equal(RoomCallAwaitingKey.Capacity, waiting.Dropped);
    }

    [Fact]
    public void Take_AfterMaxAge_NothingOpensAndTheOldAreCounted()
    {
        var time = new ManualTimeProvider();
        var waiting = new RoomCallAwaitingKey();
        waiting.Keep(Header(source: 3), Body(keyId: 1), time.GetTimestamp(), time);
        time.Advance(RoomCallAwaitingKey.MaxAge + TimeSpan.FromMilliseconds(1));
        waiting.Keep(Header(source: 4), Body(keyId: 1), time.GetTimestamp(), time);
        Assert.Empty(waiting.Take(3, 1, time.GetTimestamp(), time));
        Assert.Equal(1, waiting.Dropped);
    }

    private static RoomCallHopHeader Header(ushort source) => new(RoomCallHopKind.Media, RoomCallHopFlags.None, 7, 10, source, RoomCallHop.VideoStream, 127, 0, 1);

    private static byte[] Body(byte keyId)
    {
        var body = new byte[RoomCallFrameCipher.Overhead + 10];
        body[0] = keyId;
        return body;
    }
}
