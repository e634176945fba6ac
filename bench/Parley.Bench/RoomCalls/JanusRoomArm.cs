using Parley.Bench.Calls;

namespace Parley.Bench.RoomCalls;

/// <summary>
/// The same three pages in a Janus VideoRoom (janus-probe.js): each publishes its probe camera, then subscribes to
/// the two others; the window is measured as Parley's arms are, with Janus's CPU as the server's.
/// </summary>
internal static class JanusRoomArm
{
    public static async Task<ArmRun> RoomAsync(RoomCallPages pages, JanusServer janus, TimeSpan window)
    {
        var people = pages.People;
        foreach (var person in people)
        {
            // Janus's own origin (its server description, JSON): the page's fetches are same-origin.
            await person.Page.GotoAsync($"{janus.Url}/info");
            await RoomCallPages.StampAsync(person.Page, RoomCallPages.Sender(person, people));
            await person.Page.ReloadAsync();
        }
        foreach (var person in people)
        {
            await person.Page.EvaluateAsync("([url, room, id, name]) => __janus.publish(url, room, id, name)",
                new object[] { janus.Url, JanusServer.Room, RoomCallPages.Sender(person, people), person.Name });
        }
        foreach (var person in people)
        {
            foreach (var other in people.Where(o => o != person))
            {
                await person.Page.EvaluateAsync("([room, feed]) => __janus.subscribe(room, feed)", new[] { JanusServer.Room, RoomCallPages.Sender(other, people) });
            }
        }
        var streams = people.Select(p => (p, people.Where(o => o != p).ToArray())).ToList();
        var run = await ProbeWindow.MeasureAsync("janus", people, streams, window, [janus.Pid]);
        var stages = new List<string>();
        foreach (var person in people)
        {
            // WebRTC's own means: the publisher's encoder, and over the subscriptions the jitter buffer and the decoder.
            var ms = await person.Page.EvaluateAsync<double[]>("async () => { const [sent, ...got] = await Promise.all(__janus.connections.map(pc => __probe.rtcCounts(pc))); "
                + "const sum = k => got.reduce((t, c) => t + c[k], 0); return [1000 * sent.encodeSeconds / Math.max(1, sent.encoded), "
                + "1000 * sum('jitterSeconds') / Math.max(1, sum('emitted')), 1000 * sum('decodeSeconds') / Math.max(1, sum('decoded'))]; }");
            stages.Add($"{person.Name} encode {ms[0]:0}, jitter buffer {ms[1]:0}, decode {ms[2]:0}");
            await person.Page.EvaluateAsync("() => __janus.stop()");
        }
        return run with { Stages = string.Join("; ", stages) + " (means)" };
    }
}
