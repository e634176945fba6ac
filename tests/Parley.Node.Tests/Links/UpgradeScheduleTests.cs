using Parley.Core.Tests;
using Parley.Node.Links;

namespace Parley.Node.Tests.Links;

/// <summary>
/// A relayed link's tries to go direct: a try that throws something unforeseen is caught at the task
/// boundary and backs off like one that found no path (it used to escape unobserved and run again on
/// the next 500 ms tick), doubling from the first delay up to the cap.
/// </summary>
public sealed class UpgradeScheduleTests
{
    private static readonly TimeSpan First = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Max = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task TriesThatThrow_AreCaught_AndBackOffExponentially_UpToTheCap()
    {
        var time = new ManualTimeProvider();
        var schedule = new UpgradeSchedule("", time.GetUtcNow(), First, Max);
        var errors = new List<Exception?>();
        for (var failures = 1; failures <= 10; failures++)
        {
            Assert.True(schedule.IsDue(time.GetUtcNow()));
            var run = schedule.RunAsync(() => throw new InvalidOperationException("an unforeseen state"), time, (_, e) => errors.Add(e));
            await run; // does not throw: the try's exception stays inside
            Assert.False(run.IsFaulted);
            var wait = schedule.Next - time.GetUtcNow();
            var expected = Math.Min(First.TotalSeconds * Math.Pow(2, failures - 1), Max.TotalSeconds);
            Assert.InRange(wait.TotalSeconds, expected * 0.8, expected * 1.2);
            Assert.False(schedule.IsDue(time.GetUtcNow() + TimeSpan.FromMilliseconds(500)), "retried on the next tick");
            time.Advance(wait);
        }
        Assert.Equal(10, schedule.Failures);
        Assert.All(errors, e => Assert.IsType<InvalidOperationException>(e));
    }

    [Fact]
    public async Task ATryThatFindsNoPath_BacksOff_AndOneThatSucceeds_StartsTheCountAgain()
    {
        var time = new ManualTimeProvider();
        var schedule = new UpgradeSchedule("", time.GetUtcNow(), First, Max);
        Exception? seen = new InvalidOperationException("not called");
        await schedule.RunAsync(() => Task.FromResult(false), time, (_, e) => seen = e);
        await schedule.RunAsync(() => Task.FromResult(false), time, (_, e) => seen = e);
        Assert.Null(seen);
        Assert.Equal(2, schedule.Failures);
        Assert.InRange((schedule.Next - time.GetUtcNow()).TotalSeconds, 8, 12);
        await schedule.RunAsync(() => Task.FromResult(true), time, (_, _) => Assert.Fail("a success is no failure"));
        Assert.Equal(0, schedule.Failures);
    }

    [Fact]
    public async Task OneTryAtATime()
    {
        var time = new ManualTimeProvider();
        var schedule = new UpgradeSchedule("", time.GetUtcNow(), First, Max);
        var gate = new TaskCompletionSource<bool>();
        var calls = 0;
        var first = schedule.RunAsync(() => { calls++; return gate.Task; }, time, (_, _) => { });
        Assert.False(schedule.IsDue(time.GetUtcNow()));
        await schedule.RunAsync(() => { calls++; return Task.FromResult(true); }, time, (_, _) => { });
        gate.SetResult(true);
        await first;
        Assert.Equal(1, calls);
    }
}
