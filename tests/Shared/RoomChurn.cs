using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Parley.Testing;

/// <summary>How big a churn run is. The CI test and the bench's <c>rooms-churn</c> differ only in these.</summary>
internal sealed record ChurnOptions
{
    public int Members { get; init; } = 5;

    public int Messages { get; init; } = 150;

    /// <summary>Pause between two sends (from whichever member is in the room and up).</summary>
    public TimeSpan SendGap { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Pause between two membership changes (join, leave, kill -9, restart).</summary>
    public TimeSpan ChurnGap { get; init; } = TimeSpan.FromMilliseconds(800);

    /// <summary>How long members get, once the sending is over and every killed node is back, to have everything.</summary>
    public TimeSpan Settle { get; init; } = TimeSpan.FromSeconds(30);

    public int Seed { get; init; } = 16;

    public string Room { get; init; } = "churn";

    /// <summary>In every message's text, so a search for it finds any plaintext of any message.</summary>
    public string Marker { get; init; } = "qz7-churn-marker";
}

/// <summary>What one churn run found, per (member, message) pair the run expected or forbade.</summary>
internal sealed record ChurnReport(
    int Sent, int SendFailures, int Expected, int Delivered,
    IReadOnlyList<string> Missing, IReadOnlyList<string> Unopened, IReadOnlyList<string> Leaked,
    IReadOnlyList<string> OutOfOrder, IReadOnlyList<string> Duplicated,
    int Joins, int Leaves, int Kills, int Restarts, TimeSpan SendPhase, TimeSpan SettledIn, bool Settled)
{
    public bool Holds => Missing.Count == 0 && Unopened.Count == 0 && Leaked.Count == 0 && OutOfOrder.Count == 0 && Duplicated.Count == 0;

    public string Summary =>
        $"sent {Sent} ({SendFailures} sends refused), churn: {Joins} joins, {Leaves} leaves, {Kills} kills -9, {Restarts} restarts; "
        + $"send phase {SendPhase.TotalSeconds:0.0} s, {(Settled ? "settled" : "NOT settled")} {SettledIn.TotalSeconds:0.0} s after; "
        + $"delivered {Delivered} of {Expected} expected, missing {Missing.Count}, unopened (waiting for key) {Unopened.Count}, "
        + $"leaked to non-members {Leaked.Count}, out of order {OutOfOrder.Count}, duplicated {Duplicated.Count}";

    /// <summary>The summary and the first of each kind of failure.</summary>
    public string Details(int each = 15) => string.Join('\n', new[] { Summary }
        .Concat(Missing.Take(each).Select(m => "missing: " + m))
        .Concat(Unopened.Take(each).Select(m => "unopened: " + m))
        .Concat(Leaked.Take(each).Select(m => "leaked: " + m))
        .Concat(OutOfOrder.Take(each).Select(m => "out of order: " + m))
        .Concat(Duplicated.Take(each).Select(m => "duplicated: " + m)));
}

/// <summary>
/// Members of one room (separate processes) send while others join, leave, are killed with SIGKILL
/// and come back; then each member's history is held against the membership it had. Timestamps are
/// taken in this process around each command: a message counts as sent inside a membership interval
/// when its send was issued after the join command returned and returned before the leave command
/// was issued (a killed member stays a member); it counts as sent outside when it was wholly before
/// the join was issued or after the leave returned. Messages between the two are not judged.
/// </summary>
internal sealed class RoomChurn
{
    private readonly RoomCluster _cluster;
    private readonly ChurnOptions _options;
    private readonly Random _random;
    private readonly List<Member> _members;
    private readonly List<Sent> _sent = [];
    private readonly Lock _lock = new();
    private int _sendFailures, _joins, _leaves, _kills, _restarts;

    private RoomChurn(RoomCluster cluster, ChurnOptions options)
    {
        _cluster = cluster;
        _options = options;
        _random = new Random(options.Seed);
        _members = [.. cluster.Nodes.Take(options.Members).Select(n => new Member(n))];
    }

    private sealed record Sent(string Sender, int Index, long Issued, long Returned);

    /// <summary>One stretch of membership: from the join (issued, returned) to the leave (issued, returned), or open.</summary>
    private sealed class Interval(long joinIssued, long joinReturned)
    {
        public long JoinIssued { get; } = joinIssued;

        public long JoinReturned { get; } = joinReturned;

        public long LeaveIssued { get; set; } = long.MaxValue;

        public long LeaveReturned { get; set; } = long.MaxValue;
    }

    private sealed class Member(ClusterNode node)
    {
        public ClusterNode Node { get; } = node;

        /// <summary>Held while the member sends or changes state, so a kill never lands mid-send.</summary>
        public SemaphoreSlim Busy { get; } = new(1, 1);

        public List<Interval> Intervals { get; } = [];

        /// <summary>Spans in which a membership command failed, so whether it was in the room is not known: nothing in them is judged.</summary>
        public List<(long From, long To)> Unknown { get; } = [];

        /// <summary>When it was killed and when it was back up (for a failure's message: a killed member stays a member).</summary>
        public List<(long Killed, long Up)> Down { get; } = [];

        public bool In => Intervals.Count > 0 && Intervals[^1].LeaveIssued == long.MaxValue;

        public int NextIndex { get; set; }
    }

    /// <summary>
    /// Runs churn in <paramref name="cluster"/>: its first node creates the room (and stays, owning it),
    /// the next ones join, the last starts outside; then sends and churn go on side by side.
    /// </summary>
    public static async Task<ChurnReport> RunAsync(RoomCluster cluster, ChurnOptions options, Action<string>? log = null)
    {
        var churn = new RoomChurn(cluster, options);
        return await churn.RunAsync(log ?? (_ => { }));
    }

    private async Task<ChurnReport> RunAsync(Action<string> log)
    {
        var owner = _members[0];
        var issued = Stopwatch.GetTimestamp();
        await _cluster.CreateAsync(owner.Node, _options.Room);
        owner.Intervals.Add(new Interval(issued, Stopwatch.GetTimestamp()));
        foreach (var member in _members.Skip(1).SkipLast(1))
        {
            await JoinAsync(member);
        }
        var watch = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource();
        var churning = ChurnAsync(log, stop.Token);
        await SendAllAsync(log);
        var sendPhase = watch.Elapsed;
        await stop.CancelAsync();
        await churning;

        foreach (var member in _members.Where(m => m.In && !m.Node.IsUp))
        {
            await RestartAsync(member, log);
        }
        watch.Restart();
        var settled = await RoomCluster.WaitAsync(async () => (await CheckAsync()).Holds, _options.Settle, pollMs: 500);
        var settledIn = watch.Elapsed;
        var report = await CheckAsync() with { SendPhase = sendPhase, SettledIn = settledIn, Settled = settled };
        log(report.Summary);
        return report;
    }

    private async Task SendAllAsync(Action<string> log)
    {
        for (var i = 0; i < _options.Messages;)
        {
            await Task.Delay(_options.SendGap);
            var candidates = _members.Where(m => m.In && m.Node.IsUp).ToList();
            var sender = candidates.Count == 0 ? null : candidates[_random.Next(candidates.Count)];
            if (sender is null || !await sender.Busy.WaitAsync(0))
            {
                continue;
            }
            try
            {
                if (!sender.In || !sender.Node.IsUp)
                {
                    continue;
                }
                var index = sender.NextIndex++;
                var issued = Stopwatch.GetTimestamp();
                try
                {
                    await sender.Node.SendAsync(_options.Room, Text(sender.Node.Name, index));
                    lock (_lock)
                    {
                        _sent.Add(new Sent(sender.Node.Name, index, issued, Stopwatch.GetTimestamp()));
                    }
                    i++;
                }
                catch (HttpRequestException e)
                {
                    // Refused (e.g. the hub link is not back yet after a restart): not sent, so nothing is expected of it.
                    _sendFailures++;
                    log($"send refused: {e.Message}");
                }
            }
            finally
            {
                sender.Busy.Release();
            }
        }
    }

    /// <summary>One membership change at a time, each on a member other than the owner, until the sending is over.</summary>
    private async Task ChurnAsync(Action<string> log, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.ChurnGap, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var member = _members[1 + _random.Next(_members.Count - 1)];
            // Heads leave, tails kill; but a run with only one of them proves nothing of the other, so after two of one
            // the first of the other is forced (a run once drew six kills and no leave).
            var coin = _leaves == 0 && _kills >= 2 ? 0 : _kills == 0 && _leaves >= 2 ? 1 : _random.Next(2);
            await member.Busy.WaitAsync(CancellationToken.None);
            try
            {
                if (!member.Node.IsUp)
                {
                    await RestartAsync(member, log);
                }
                else if (!member.In)
                {
                    await JoinAsync(member);
                    log($"{member.Node.Name} joined");
                }
                else if (coin == 0)
                {
                    await LeaveAsync(member);
                    log($"{member.Node.Name} left");
                }
                else
                {
                    await member.Node.KillAsync();
                    member.Down.Add((Stopwatch.GetTimestamp(), long.MaxValue));
                    _kills++;
                    log($"{member.Node.Name} killed -9");
                }
            }
            finally
            {
                member.Busy.Release();
            }
        }
    }

    private async Task JoinAsync(Member member)
    {
        var issued = Stopwatch.GetTimestamp();
        try
        {
            await _cluster.JoinAsync(_members[0].Node, member.Node, _options.Room);
            member.Intervals.Add(new Interval(issued, Stopwatch.GetTimestamp()));
            _joins++;
        }
        catch (InvalidOperationException)
        {
            // Whether the hub took it in is unknown: leave (quietly) and judge nothing of that span.
            await member.Node.CliAsync("room", "leave", _options.Room);
            member.Unknown.Add((issued, Stopwatch.GetTimestamp()));
        }
    }

    private async Task LeaveAsync(Member member)
    {
        var interval = member.Intervals[^1];
        interval.LeaveIssued = Stopwatch.GetTimestamp();
        var result = await member.Node.CliAsync("room", "leave", _options.Room);
        interval.LeaveReturned = Stopwatch.GetTimestamp();
        if (result.ExitCode != 0)
        {
            member.Unknown.Add((interval.LeaveIssued, long.MaxValue));
        }
        _leaves++;
    }

    /// <summary>Starts a killed member again on its home; it is still a member and rejoins by itself.</summary>
    private async Task RestartAsync(Member member, Action<string> log)
    {
        await member.Node.StartAsync();
        member.Down[^1] = (member.Down[^1].Killed, Stopwatch.GetTimestamp());
        _restarts++;
        log($"{member.Node.Name} restarted");
    }

    private string Text(string sender, int index) => $"{_options.Marker} {sender}#{index.ToString(CultureInfo.InvariantCulture)}";

    private static (string Sender, int Index)? Parse(string marker, string text) =>
        Regex.Match(text, "^" + Regex.Escape(marker) + @" (\S+)#(\d+)$") is { Success: true } m
            ? (m.Groups[1].Value, int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)) : null;

    /// <summary>Every member's history held against its membership (members down now are skipped; at the end none are).</summary>
    private async Task<ChurnReport> CheckAsync()
    {
        List<Sent> sent;
        lock (_lock)
        {
            sent = [.. _sent];
        }
        var missing = new List<string>();
        var unopened = new List<string>();
        var leaked = new List<string>();
        var outOfOrder = new List<string>();
        var duplicated = new List<string>();
        int expected = 0, delivered = 0;
        foreach (var member in _members)
        {
            var name = member.Node.Name;
            if (!member.Node.IsUp)
            {
                missing.Add($"{name} is down");
                continue;
            }
            var history = (await member.Node.HistoryAsync(_options.Room)).Where(m => !m.IsNotice).ToList();
            unopened.AddRange(history.Where(m => m.IsWaitingForKey).Select(m => $"{name} holds {m.Id} waiting for a key from {m.WaitingFor ?? m.Sender}"));
            var have = history.Select(m => Parse(_options.Marker, m.Text)).OfType<(string Sender, int Index)>().ToList();
            duplicated.AddRange(have.GroupBy(h => h).Where(g => g.Count() > 1).Select(g => $"{name} has {g.Key.Sender}#{g.Key.Index} {g.Count()} times"));
            var held = have.ToHashSet();
            foreach (var message in sent)
            {
                if (member.Unknown.Any(u => message.Returned > u.From && message.Issued < u.To))
                {
                    continue;
                }
                var key = (message.Sender, message.Index);
                if (member.Intervals.Any(i => message.Issued > i.JoinReturned && message.Returned < i.LeaveIssued))
                {
                    expected++;
                    if (held.Contains(key))
                    {
                        delivered++;
                    }
                    else
                    {
                        missing.Add($"{name} lacks {message.Sender}#{message.Index} (sent at {Seconds(message.Issued)}; {name} in the room {Spans(member)})");
                    }
                }
                else if (held.Contains(key) && member.Intervals.All(i => message.Returned < i.JoinIssued || message.Issued > i.LeaveReturned))
                {
                    leaked.Add($"{name} has {message.Sender}#{message.Index} (sent at {Seconds(message.Issued)}) though it was out of the room {Spans(member)}");
                }
            }
            foreach (var bySender in have.GroupBy(h => h.Sender))
            {
                var order = bySender.Select(h => h.Index).ToList();
                if (!order.SequenceEqual(order.Order()))
                {
                    outOfOrder.Add($"{name} shows {bySender.Key}'s messages as #{string.Join(", #", order.Take(40))}");
                }
            }
            // Others' messages come in the hub's order. (Our own are stored when sent, before
            // the hub's answer gives their place, so one may show just ahead of another's that the hub put first.)
            var seqs = history.Where(m => !m.Outgoing).Select(m => m.RoomSeq).OfType<long>().ToList();
            if (!seqs.SequenceEqual(seqs.Order()))
            {
                outOfOrder.Add($"{name}'s history does not show others' messages in the room's order");
            }
        }
        return new ChurnReport(sent.Count, _sendFailures, expected, delivered, missing, unopened, leaked, outOfOrder, duplicated,
            _joins, _leaves, _kills, _restarts, TimeSpan.Zero, TimeSpan.Zero, false);
    }

    private readonly long _start = Stopwatch.GetTimestamp();

    private string Seconds(long timestamp) => timestamp == long.MaxValue ? "end" : $"{Stopwatch.GetElapsedTime(_start, timestamp).TotalSeconds:0.00} s";

    private string Spans(Member member) => string.Join(", ", member.Intervals.Select(i => $"[{Seconds(i.JoinReturned)}, {Seconds(i.LeaveIssued)})"))
        + (member.Down.Count == 0 ? "" : "; killed and down " + string.Join(", ", member.Down.Select(d => $"[{Seconds(d.Killed)}, {Seconds(d.Up)})")));
}
