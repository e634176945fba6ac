using Parley.Hub;
using Xunit;

namespace Parley.Hub.Tests.Cluster;

public sealed class RefreshScheduleTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan Tick = Interval / 25;
    private static readonly DateTimeOffset Start = new(2026, 11, 29, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void MembersWhoJoinTogether_AreSpreadOverTheInterval_AndEachIsRefreshedWithinAnIntervalAndATick()
    {
        var random = new Random(23);
        var schedule = new RefreshSchedule<int>(Interval, random.NextDouble);
        var members = Enumerable.Range(0, 1000).ToList();
        var last = members.ToDictionary(m => m, _ => Start);
        foreach (var member in members)
        {
            schedule.Add(member, Start); // a hub's restart: everyone at once
        }
        var mostInOneTick = 0;
        for (var now = Start + Tick; now <= Start + 4 * Interval; now += Tick)
        {
            var due = members.Where(m => schedule.TakeIfDue(m, now)).ToList();
            mostInOneTick = Math.Max(mostInOneTick, due.Count);
            foreach (var member in due)
            {
                Assert.True(now - last[member] <= Interval + Tick, $"member {member} waited {now - last[member]}");
                last[member] = now;
            }
            Assert.All(members, m => Assert.True(now - last[m] <= Interval + Tick, $"member {m} not refreshed for {now - last[m]}"));
        }
        // 1,000 over 25 ticks is 40 a tick on average; all at once would be 1,000.
        Assert.InRange(mostInOneTick, 1, 80);
    }

    [Fact]
    public void ARemovedMember_IsNeverDue_AndAMemberAddedAgainStartsAFreshSpread()
    {
        var schedule = new RefreshSchedule<string>(Interval, () => 0.5);
        schedule.Add("alice", Start);
        Assert.False(schedule.TakeIfDue("alice", Start + Interval * 0.4));
        Assert.True(schedule.TakeIfDue("alice", Start + Interval * 0.5));
        Assert.False(schedule.TakeIfDue("alice", Start + Interval * 1.4));
        Assert.True(schedule.TakeIfDue("alice", Start + Interval * 1.5));
        schedule.Remove("alice");
        Assert.False(schedule.TakeIfDue("alice", Start + Interval * 1.6)); // left while the tick listed her: no put for a ghost
        Assert.False(schedule.TakeIfDue("alice", Start + Interval * 5));
        schedule.Add("alice", Start + Interval * 2);
        Assert.False(schedule.TakeIfDue("alice", Start + Interval * 2.4));
        Assert.True(schedule.TakeIfDue("alice", Start + Interval * 2.5));
    }
}
