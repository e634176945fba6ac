using System.Diagnostics;
using Microsoft.Playwright;
using Parley.Testing;
using static Microsoft.Playwright.Assertions;

namespace Parley.Web.Tests;

/// <summary>
/// Issue 18 in the page: alice, bob and carol (fake camera and microphone) in #team's call through a
/// real hub. Each page decodes the other two's video and hears their audio, and never gets its own;
/// alice's mute shows and silences her at both others; dave, joining mid-call with voice only, sees
/// everyone's video soon after his join (<see cref="PromptMs"/>) and is heard; the speaker's light moves; carol's leave is pushed to the others (<see cref="LeaveSeenMs"/>). A screen alice
/// shares from headed Chromium on Xvfb reaches bob and carol and is shown large.
/// </summary>
public sealed class RoomCallTests : IDisposable
{
    private const string Tiles = "document.querySelectorAll('.room-tiles .tile.remote')";

    /// <summary>
    /// How soon a join must show everyone's video (after the node answers it) and a leave must be seen by everyone: 3 s.
    /// The issue's targets are a second each; targets are performance figures and live in the room-call bench
    /// (docs/benchmarks.md: three pages, joins 168–874 ms, leaves 32–105 ms). Here four pages, four nodes and the hub
    /// share two cores, and every stage waits for a core (a join measured 1.0–1.6 s after the replay and the early media
    /// channel, 1.1–4.4 s before them; a leave up to 1.4 s). What the bound tells apart is the behaviour: the first
    /// pictures come from keyframes made or kept for the joiner, not from a sender's periodic one, 10 s apart; a leave
    /// is pushed to everyone, not found by a timeout.
    /// </summary>
    private const int PromptMs = 3000;

    /// <summary>Within this a leave is seen at every other page: 8 s, as nothing but its push would ever show it.</summary>
    private const int LeaveSeenMs = 8000;

    private readonly string _root = Directory.CreateTempSubdirectory("parley-web-roomcall-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task ThreePages_SeeAndHearEachOther_NeverThemselves_Mute_LateJoiner_Leave()
    {
        await using var room = await RoomOfThree.StartAsync(_root);
        var (alice, bob, carol) = (room.Alice, room.Bob, room.Carol);
        foreach (var member in new[] { alice, bob, carol })
        {
            await JoinAsync(member);
        }
        foreach (var member in new[] { alice, bob, carol })
        {
            await SeesAsync(member.Page, others: 2, TimeSpan.FromSeconds(30));
        }
        foreach (var member in new[] { alice, bob, carol })
        {
            await member.Page.WaitForFunctionAsync($"() => [...{Tiles}].every(t => Number(t.dataset.audioFrames) > 25)", null, new() { Timeout = 15_000 });
            await member.Page.WaitForFunctionAsync($"() => [...{Tiles}].every(t => {{ t.dataset.heard = Math.max(Number(t.dataset.heard ?? 0), Number(t.dataset.level)); return Number(t.dataset.heard) > 0.001; }})",
                null, new() { Timeout = 15_000, PollingInterval = 50 });
            Assert.Equal("0", await member.Page.Locator(".room-call").GetAttributeAsync("data-own-frames"));
        }
        var names = await bob.Page.EvalAsync<string[]>($"() => [...{Tiles}].map(t => t.querySelector('figcaption').textContent)");
        Assert.Contains(names, n => n.Contains("alice"));
        Assert.Contains(names, n => n.Contains("carol"));

        // alice mutes: both others show it, and her voice stops coming.
        await alice.Page.GetByRole(AriaRole.Button, new() { Name = "Mute" }).ClickAsync();
        foreach (var other in new[] { bob, carol })
        {
            var aliceTile = other.Page.Locator(".room-tiles .tile.remote").Filter(new() { HasText = "alice" });
            await Expect(aliceTile).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("\\bmuted\\b"), new() { Timeout = 3_000 });
            await other.Page.WaitForTimeoutAsync(300); // what was on its way
            var before = int.Parse(await aliceTile.GetAttributeAsync("data-audio-frames") ?? "0");
            await other.Page.WaitForTimeoutAsync(1000);
            Assert.Equal(before, int.Parse(await aliceTile.GetAttributeAsync("data-audio-frames") ?? "0"));
        }

        // dave joins mid-call: everyone's video soon after his join (keyframes are made for him, and kept for his page).
        var dave = await WebNode.StartAsync(room.Browser, Path.Combine(_root, "dave"), "dave", 1280, "--hub", room.HubInvite);
        await using (dave)
        {
            var id = (await dave.Node.StatusAsync()).GetProperty("deviceId").GetString()!;
            Assert.Equal(0, (await alice.Node.CliAsync("room", "invite", "#team", id)).ExitCode);
            Assert.Equal(0, (await dave.Node.CliAsync("room", "join", "team")).ExitCode);
            await dave.GoAsync("roomcall/%23team");
            await dave.Page.GetByRole(AriaRole.Button, new() { Name = "Join with voice only" }).ClickAsync();
            await SeesAsync(dave.Page, others: 3, TimeSpan.FromSeconds(15), frames: 0);
            // From the node's answer (dave is in the call) to every other participant's first frame shown: the keyframes
            // asked for him, and the others' new keys, are on this path; the page's own start (devices, audio) is not.
            var stages = await dave.Page.EvalAsync<double[]>("async () => { const t = (await import('/js/rooms-call/room-call.js')).roomCall.engine.times; "
                + "return [t.joined - t.clicked, t.open - t.clicked, t.listed - t.clicked, t.peered - t.clicked, ...Object.values(t.firstFrame).map(f => f - t.clicked)]; }");
            var joinedToVideoMs = stages[4..].Max() - stages[0];
            var counters = joinedToVideoMs < PromptMs ? "" : string.Join(" | ", await Task.WhenAll(new[] { alice, bob, carol, dave }.Select(m => m.Page.EvalAsync<string>(
                "async () => JSON.stringify((await (await fetch('/api/rooms/%23team/call')).json()).counters ?? null)"))));
            Assert.True(joinedToVideoMs < PromptMs, $"dave saw everyone's video {joinedToVideoMs:F0} ms after his join was answered (after the click: answered {stages[0]:F0} ms, "
                + $"channel open {stages[1]:F0} ms, participants listed {stages[2]:F0} ms, decoders made {stages[3]:F0} ms, first frames {string.Join(", ", stages[4..].Select(f => f.ToString("F0")))} ms) [alice, bob, carol, dave: {counters}]");
            await SeesAsync(alice.Page, others: 3, TimeSpan.FromSeconds(10));
            var daveAtAlice = alice.Page.Locator(".room-tiles .tile.remote").Filter(new() { HasText = "dave" });
            await Expect(daveAtAlice).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("\\bvoice\\b")); // voice only: his avatar, no picture
            await alice.Page.WaitForFunctionAsync("() => Number(document.querySelector('.room-tiles .tile.remote.voice')?.dataset.audioFrames ?? 0) > 25");
            // Whoever speaks has the light: the fake microphones beep, so someone is lit within a few seconds.
            await alice.Page.WaitForFunctionAsync("() => document.querySelector('.room-tiles .tile.remote.speaking') !== null", null, new() { Timeout = 10_000, PollingInterval = 20 });

            // bob looks at another view: the call goes on, a bar leads back to it.
            await bob.GoAsync("rooms");
            var bar = bob.Page.GetByRole(AriaRole.Region, new() { Name = "Room call in progress" });
            await Expect(bar).ToContainTextAsync("4 in the call");
            await bar.GetByRole(AriaRole.Link).ClickAsync();
            await SeesAsync(bob.Page, others: 3, TimeSpan.FromSeconds(10));
            await Expect(bar).ToBeHiddenAsync();

            // carol leaves: gone from the others' tiles. Nothing but the hub's push of her leave takes her tile away (no timeout
            // does), so seeing it at all within LeaveSeenMs shows the push; how fast it is (32–105 ms on a quiet machine) is the
            // room-call bench's to measure, as four pages and five processes on two cores starve the nodes now and then.
            await carol.Page.GetByRole(AriaRole.Button, new() { Name = "Leave" }).ClickAsync();
            var clock = Stopwatch.StartNew();
            var seen = new List<string>();
            foreach (var other in new[] { alice, bob, dave })
            {
                await other.Page.WaitForFunctionAsync($"() => ![...{Tiles}].some(t => t.textContent.includes('carol'))", null, new() { Timeout = LeaveSeenMs, PollingInterval = 20 });
                seen.Add($"{other.Node.Home.Split('/')[^1]} {clock.ElapsedMilliseconds} ms");
            }
            Assert.True(clock.ElapsedMilliseconds < LeaveSeenMs, $"carol's leave was seen after: {string.Join(", ", seen)}");
            await Expect(carol.Page.GetByRole(AriaRole.Button, new() { Name = "Join with video" })).ToBeVisibleAsync();
            await Screenshots.SaveAsync(alice.Page, "room-call");
        }
        Assert.True(room.Browser.Errors.Count == 0, string.Join("\n", room.Browser.Errors));
    }

    /// <summary>
    /// Each who joins a call already going sees everyone in it soon after the node answers (<see cref="PromptMs"/>). The keyframe a
    /// sender makes for the newcomer can reach its page before the page has a receiver for that sender (found by the
    /// room-call bench: the third joiner then waited ~10 s, for the sender's periodic keyframe, in 2 of 3 joins under
    /// load); a receiver still waiting for a keyframe now asks again while deltas come.
    /// </summary>
    [Fact]
    public async Task Each_joiner_sees_everyone_already_there_promptly()
    {
        await using var room = await RoomOfThree.StartAsync(_root);
        var waits = new List<string>();
        foreach (var (member, name, others) in new[] { (room.Alice, "alice", 0), (room.Bob, "bob", 1), (room.Carol, "carol", 2) })
        {
            await JoinAsync(member);
            if (others == 0)
            {
                continue;
            }
            await SeesAsync(member.Page, others, TimeSpan.FromSeconds(30), frames: 0);
            var stages = await member.Page.EvalAsync<double[]>("async () => { const t = (await import('/js/rooms-call/room-call.js')).roomCall.engine.times; "
                + "return [t.joined - t.clicked, ...Object.values(t.firstFrame).map(f => f - t.clicked)]; }");
            var joinedToVideoMs = stages[1..].Max() - stages[0];
            var counters = string.Join(" | ", await Task.WhenAll(new[] { room.Alice, room.Bob, room.Carol }.Select(m => m.Page.EvalAsync<string>("async () => JSON.stringify((await (await fetch('/api/rooms/%23team/call')).json()).counters ?? null)"))));
            waits.Add($"{name}: {joinedToVideoMs:F0} ms (answered {stages[0]:F0} ms after the click; first frames {string.Join(", ", stages[1..].Select(f => f.ToString("F0")))}) [{counters}]");
            await Task.Delay(2000); // the call settles before the next joins
        }
        Assert.All(waits, w => Assert.True(double.Parse(w.Split(' ')[1]) < PromptMs, string.Join("; ", waits)));
    }

    [Fact]
    public async Task A_screen_shared_in_headed_Chromium_reaches_both_others_shown_large()
    {
        using var screen = await XvfbScreen.StartAsync(":96");
        try
        {
            await using var sharer = await Browser.LaunchAsync(display: screen.Display);
            await using var room = await RoomOfThree.StartAsync(_root, sharer);
            foreach (var member in new[] { room.Alice, room.Bob, room.Carol })
            {
                await JoinAsync(member);
            }
            await room.Alice.Page.GetByRole(AriaRole.Button, new() { Name = "Share screen" }).ClickAsync();
            await Expect(room.Alice.Page.GetByRole(AriaRole.Button, new() { Name = "Stop sharing" })).ToBeVisibleAsync();
            foreach (var viewer in new[] { room.Bob, room.Carol })
            {
                await viewer.Page.WaitForFunctionAsync("() => Number(document.querySelector('.room-screen .tile.screen')?.dataset.frames ?? 0) > 5", null, new() { Timeout = 30_000 });
                await Expect(viewer.Page.Locator(".room-screen")).ToContainTextAsync("alice");
            }
            await room.Alice.Page.GetByRole(AriaRole.Button, new() { Name = "Stop sharing" }).ClickAsync();
            await Expect(room.Bob.Page.Locator(".room-screen")).ToBeHiddenAsync(new() { Timeout = 5_000 });
        }
        catch (Exception e) when (e is not Xunit.Sdk.XunitException && screen.LastLines.Length > 0)
        {
            throw new InvalidOperationException($"{e.Message}\nXvfb said last:\n{screen.LastLines}", e);
        }
    }

    private static async Task JoinAsync(WebNode member)
    {
        await member.GoAsync("roomcall/%23team");
        await member.Page.GetByRole(AriaRole.Button, new() { Name = "Join with video" }).ClickAsync();
        await Expect(member.Page.GetByRole(AriaRole.Button, new() { Name = "Leave" })).ToBeVisibleAsync();
    }

    /// <summary>Waits until the page shows <paramref name="others"/> tiles, each with more than <paramref name="frames"/> decoded; a timeout says what the tiles and the node showed.</summary>
    private static async Task SeesAsync(IPage page, int others, TimeSpan within, int frames = 5)
    {
        try
        {
            await page.WaitForFunctionAsync($"() => {{ const t = [...{Tiles}]; return t.length === {others} && t.every(x => x.classList.contains('voice') || Number(x.dataset.frames) > {frames}); }}",
                null, new() { Timeout = (float)within.TotalMilliseconds, PollingInterval = 20 });
        }
        catch (TimeoutException)
        {
            var shown = await page.EvalAsync<string>($"async () => [...{Tiles}].map(t => t.textContent + ' ' + JSON.stringify(t.dataset)).join('; ') "
                + "+ ' | node: ' + JSON.stringify(await (await fetch('/api/rooms/%23team/call')).json())");
            throw new TimeoutException($"expected {others} tiles with video, saw: {shown}");
        }
    }
}
