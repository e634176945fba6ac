using Parley.Core.Calls;
using Parley.Core.Tests;
using Parley.Node.RoomCalls;

namespace Parley.Hub.Tests.RoomCalls;

/// <summary>
/// What a page that attaches late is given of a participant's camera: the frames from its last keyframe on, never
/// deltas without their keyframe, nothing of a stream that stopped, and nothing once the run outgrew its bounds.
/// </summary>
public sealed class RoomCallReplayTests
{
    [Fact]
    public void Run_StartsAtTheLastKeyframe_AndHoldsTheDeltasAfterIt()
    {
        var time = new ManualTimeProvider();
        var replay = new RoomCallReplay();
        replay.Add(Frame(1, key: false), time.GetTimestamp()); // no keyframe yet: nothing to start from
        Assert.Empty(replay.Run(time.GetTimestamp(), time));
        replay.Add(Frame(2, key: true), time.GetTimestamp());
        replay.Add(Frame(3, key: false), time.GetTimestamp());
        replay.Add(Frame(4, key: true), time.GetTimestamp());
        replay.Add(Frame(5, key: false), time.GetTimestamp());
        Assert.Equal(new ushort[] { 4, 5 }, replay.Run(time.GetTimestamp(), time).Select(f => f.Number));
    }

    [Fact]
    public void Run_OfAStreamIdleLongerThanMaxIdle_IsEmpty()
    {
        var time = new ManualTimeProvider();
        var replay = new RoomCallReplay();
        replay.Add(Frame(1, key: true), time.GetTimestamp());
        time.Advance(RoomCallReplay.MaxIdle + TimeSpan.FromMilliseconds(1));
        Assert.Empty(replay.Run(time.GetTimestamp(), time));
    }

    [Fact]
    public void Run_LongerThanItsBounds_IsForgottenUntilTheNextKeyframe()
    {
        var time = new ManualTimeProvider();
        var replay = new RoomCallReplay();
        replay.Add(Frame(0, key: true), time.GetTimestamp());
        for (ushort i = 1; i <= RoomCallReplay.MaxFrames; i++)
        {
            replay.Add(Frame(i, key: false), time.GetTimestamp());
        }
        Assert.Empty(replay.Run(time.GetTimestamp(), time)); // the page asks the sender instead
        replay.Add(Frame(100, key: false), time.GetTimestamp());
        Assert.Empty(replay.Run(time.GetTimestamp(), time));
        replay.Add(Frame(101, key: true, bytes: RoomCallReplay.MaxBytes), time.GetTimestamp());
        Assert.Single(replay.Run(time.GetTimestamp(), time));
        replay.Add(Frame(102, key: false), time.GetTimestamp()); // one byte over MaxBytes
        Assert.Empty(replay.Run(time.GetTimestamp(), time));
    }

    private static MediaFrame Frame(ushort number, bool key, int bytes = 100) => new(StreamKind.Video, number, number * 3000u, key, 1, new byte[bytes]);
}
