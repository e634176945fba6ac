using System.Text.Json;
using Microsoft.Playwright;
using Parley.Bench.Calls;

namespace Parley.Bench.RoomCalls;

/// <summary>
/// What joining a room call took a joiner, in ms after its click (performance.now() terms, the engine's <c>times</c>): the
/// node's answer, the media channel open, and the first frame shown of each participant already in the call.
/// </summary>
internal sealed record JoinTimes(string Name, double Answered, double Open, Dictionary<string, double> First)
{
    /// <summary>The first frame of everyone already there: the latest of them (NaN when one never came).</summary>
    public double FirstFrames => First.Values.Any(double.IsNaN) ? double.NaN : First.Values.Max();
}

/// <summary>
/// The room arm's extra figures: each joiner's join times, ms from carol's Leave click to her tile gone at each other page,
/// and what each node counted in the call by then (<c>GET /api/rooms/{room}/call</c>: keyframe asks the hub passed it, frames
/// it could not open, frames dropped waiting for a sender's key, packets resent), for a join that waited.
/// </summary>
internal sealed record RoomFigures(List<JoinTimes> Joins, Dictionary<string, double> LeaveSeen, string Counters);

/// <summary>
/// The two Parley arms of the room call bench, on the same pages: #team's call with all three (through the hub's forwarding
/// unit), and a 1:1 call between alice and bob on the WebCodecs engine (node to node) as the anchor.
/// </summary>
internal static class ParleyRoomArms
{
    private static readonly Dictionary<string, double[]> CountedBefore = [];
    private const string RemoteTiles = "[...document.querySelectorAll('.room-tiles .tile.remote')]";

    /// <summary>
    /// #team's call with the first <paramref name="count"/> people (all three by default; two, alice and bob, to set the
    /// room's path against the 1:1 call's with the same two pages' work), measured; then the last joiner leaves, then the others.
    /// </summary>
    public static async Task<(ArmRun Run, RoomFigures Figures)> RoomAsync(RoomCallPages pages, TimeSpan window, int count = 3)
    {
        var people = pages.People.Take(count).ToList();
        await pages.ReloadAsync();
        foreach (var person in people)
        {
            await person.Page.EvaluateAsync("() => location.hash = '#/roomcall/%23team'");
            await person.Page.GetByRole(AriaRole.Button, new() { Name = "Join with video" }).ClickAsync();
            await person.Page.GetByRole(AriaRole.Button, new() { Name = "Leave" }).WaitForAsync();
        }
        var streams = people.Select(p => (p, people.Where(o => o != p).ToArray())).ToList();
        // Each page's engine counts the frames it encoded, and the frames it decoded of each other participant.
        async Task<double[]> Counted()
        {
            var counts = new List<double>();
            foreach (var person in people)
            {
                counts.AddRange(await person.Page.EvaluateAsync<double[]>("async () => { const e = (await import('/js/rooms-call/room-call.js')).roomCall.engine; "
                    + "return [e.stats.sent.video, [...e.peers.values()].reduce((t, p) => t + p.stats.decoded.video, 0)]; }"));
            }
            return [.. counts];
        }
        var run = await ProbeWindow.MeasureAsync(count == pages.People.Count ? "room" : $"room of {count}", people, streams, window, [pages.Hub.Pid, .. people.Select(p => p.Node.Process.Id)], Counted);
        var encoded = Enumerable.Range(0, people.Count).Select(i => run.Rates[2 * i]).ToList();
        var decoded = Enumerable.Range(0, people.Count).Select(i => run.Rates[2 * i + 1] / (people.Count - 1)).ToList();

        var stages = new List<string>();
        foreach (var person in people)
        {
            var ms = await person.Page.EvaluateAsync<double[]>("async () => { const e = (await import('/js/rooms-call/room-call.js')).roomCall.engine; "
                + "return [e.stats.encodeMs, ...[...e.peers.values()].map(p => p.stats.decodeMs)]; }");
            stages.Add($"{person.Name} encode {ms[0]:0}, decode {string.Join("/", ms.Skip(1).Select(d => d.ToString("0", System.Globalization.CultureInfo.InvariantCulture)))}");
        }
        run = run with
        {
            Stages = string.Join("; ", stages) + $" (medians of recent frames); frames a second encoded by each sender {string.Join("/", encoded.Select(r => r.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)))}, " +
                $"decoded of each other participant (mean at each page) {string.Join("/", decoded.Select(r => r.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture)))}",
        };

        // Join: each joiner's click to the first frame shown of every participant already in the call (alice found nobody).
        var joins = new List<JoinTimes>();
        for (var i = 1; i < people.Count; i++)
        {
            var t = await people[i].Page.EvaluateAsync<JsonElement>("async () => { const e = (await import('/js/rooms-call/room-call.js')).roomCall.engine, t = e.times; "
                + "return { answered: t.joined - t.clicked, open: t.open - t.clicked, "
                + "first: Object.fromEntries(Object.entries(t.firstFrame).map(([p, f]) => [e.peers.get(Number(p))?.view.name ?? p, f - t.clicked])) }; }");
            var first = people.Take(i).ToDictionary(p => p.Name, p => t.GetProperty("first").TryGetProperty(p.Name, out var ms) ? ms.GetDouble() : double.NaN);
            joins.Add(new JoinTimes(people[i].Name, t.GetProperty("answered").GetDouble(), t.GetProperty("open").GetDouble(), first));
        }

        var counters = new List<string>();
        foreach (var person in people)
        {
            // A node's counters run for its life; the 1:1 arms leave them be, so this call's are the change since the last room arm.
            var now = await person.Page.EvaluateAsync<double[]>("async () => { const c = (await (await fetch('/api/rooms/%23team/call')).json()).counters; "
                + "return [c.keyframeRequests, c.unopened, c.awaitingKeyDropped, c.resent]; }");
            var c = now.Zip(CountedBefore.GetValueOrDefault(person.Name, new double[now.Length]), (after, before) => after - before).ToArray();
            CountedBefore[person.Name] = now;
            counters.Add($"{person.Name} keyframe asks {c[0]}, unopened {c[1]}, dropped awaiting a key {c[2]}, resent {c[3]}");
        }

        // Leave: the last joiner leaves; each other page notes (polling every 5 ms) when its tile is gone, on the wall clock all pages share.
        var leaver = people[^1];
        var stayers = people.Take(people.Count - 1).ToList();
        foreach (var stayer in stayers)
        {
            await stayer.Page.EvaluateAsync($"name => {{ window.__goneAt = 0; const timer = setInterval(() => {{ if (!{RemoteTiles}.some(t => t.textContent.includes(name))) {{ window.__goneAt = Date.now(); clearInterval(timer); }} }}, 5); }}", leaver.Name);
        }
        var clicked = await leaver.Page.GetByRole(AriaRole.Button, new() { Name = "Leave" }).EvaluateAsync<double>("b => { const t = Date.now(); b.click(); return t; }");
        var leaveSeen = new Dictionary<string, double>();
        foreach (var stayer in stayers)
        {
            await stayer.Page.WaitForFunctionAsync("() => window.__goneAt > 0", null, new() { Timeout = 10_000, PollingInterval = 20 });
            leaveSeen[stayer.Name] = await stayer.Page.EvaluateAsync<double>("() => window.__goneAt") - clicked;
        }
        foreach (var stayer in stayers)
        {
            await stayer.Page.GetByRole(AriaRole.Button, new() { Name = "Leave" }).ClickAsync();
        }
        return (run, new RoomFigures(joins, leaveSeen, string.Join("; ", counters)));
    }

    /// <summary>
    /// Alice calls bob (video, WebCodecs engine, the same 360p camera) in the codec the pages agree on, or with
    /// <paramref name="only"/> ("vp8") in that one; both ways measured; then she hangs up.
    /// </summary>
    public static async Task<(ArmRun Run, string Codec)> OneToOneAsync(RoomCallPages pages, TimeSpan window, string? only = null)
    {
        var (alice, bob) = (pages.People[0], pages.People[1]);
        foreach (var page in new[] { alice.Page, bob.Page })
        {
            await page.EvaluateAsync("only => only ? localStorage.setItem('parley-bench-video-codecs', only) : localStorage.removeItem('parley-bench-video-codecs')", only);
        }
        var codec = await CallBench.DialAsync(alice, bob, "webcodecs", pages.ReloadAsync);
        var run = await ProbeWindow.MeasureAsync(only is null ? "1:1" : $"1:1 {only}", pages.People, [(alice, [bob]), (bob, [alice])], window,
            [alice.Node.Process.Id, bob.Node.Process.Id]);
        var stages = new List<string>();
        foreach (var side in new[] { alice, bob })
        {
            var ms = await side.Page.EvaluateAsync<double[]>("async () => { const s = await __probe.parleyStats(); return [s.encodeMs, s.decodeMs]; }");
            stages.Add($"{side.Name} encode {ms[0]:0}, decode {ms[1]:0}");
        }
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Hang up" }).ClickAsync();
        return (run with { Stages = string.Join("; ", stages) + " (medians of recent frames)" }, codec);
    }
}
