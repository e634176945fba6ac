using System.Diagnostics;

namespace Parley.Node.Tests.Security;

/// <summary>
/// What an attack must not stop: two contacts chatting, each message delivered within 3 s — far below the
/// attacks' 15 s, so starvation fails it, while a busy CI machine's scheduling (1.16 s seen) does not. How
/// fast chat stays under attack is measured in bench/ (attack), not here.
/// </summary>
internal static class LegitimateChat
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(3);

    /// <summary>Sends <paramref name="from"/> → <paramref name="to"/> messages until <paramref name="attack"/> is over; the slowest delivery.</summary>
    public static Task<TimeSpan> WhileAsync(TestNode from, TestNode to, Task attack) => WhileAsync(i => OnceAsync(from, to, $"still here {i}"), attack);

    /// <summary>Runs <paramref name="once"/> (one message and its delivery time) one after another until <paramref name="attack"/> is over, at least three times; the slowest.</summary>
    public static async Task<TimeSpan> WhileAsync(Func<int, Task<TimeSpan>> once, Task attack)
    {
        var slowest = TimeSpan.Zero;
        for (var i = 0; i < 3 || !attack.IsCompleted; i++)
        {
            slowest = TimeSpan.FromTicks(Math.Max(slowest.Ticks, (await once(i)).Ticks));
            await Task.Delay(100);
        }
        return slowest;
    }

    /// <summary>One message, and how long until the other side has stored it.</summary>
    public static async Task<TimeSpan> OnceAsync(TestNode from, TestNode to, string text)
    {
        var clock = Stopwatch.StartNew();
        var sent = await from.Node.Chat.SendAsync(to.Id, text);
        await Wait.UntilAsync(async () => (await to.HistoryWith(from)).Any(m => m.Id == sent.Id), "delivery of " + text);
        return clock.Elapsed;
    }
}
