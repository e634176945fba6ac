using Microsoft.Playwright;
using Parley.Bench.Calls;
using Parley.Testing;

namespace Parley.Bench.RoomCalls;

/// <summary>
/// The room call bench's people: a real <c>parley hub</c>, and alice, bob and carol (<c>parley up</c> on it, members of
/// #team; alice and bob also contacts, for the 1:1 anchor), each with a Chromium page carrying the probe. The probe's
/// camera is capped at 360p (what a room call captures) for every arm, and each page stamps its own sender number
/// (alice 1, bob 2, carol 3) so a page tells the others' pictures apart.
/// </summary>
internal sealed class RoomCallPages : IAsyncDisposable
{
    public const int CameraHeight = 360;
    private static readonly string JanusProbe = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "RoomCalls", "janus-probe.js"));
    private readonly List<string> _origins = [];
    private readonly List<IAsyncDisposable> _owned = [];
    private IPlaywright? _playwright;
    private IBrowser? _browser;

    private RoomCallPages(string root) => Root = root;

    public string Root { get; }

    public HubProcess Hub { get; private set; } = null!;

    /// <summary>Alice, bob and carol, in the order they join a call.</summary>
    public IReadOnlyList<CallSide> People { get; private set; } = [];

    /// <summary>The probe's sender number of each person.</summary>
    public static int Sender(CallSide person, IReadOnlyList<CallSide> people) => people.ToList().IndexOf(person) + 1;

    public static async Task<RoomCallPages> StartAsync()
    {
        var pages = new RoomCallPages(Directory.CreateTempSubdirectory("parley-bench-roomcall-").FullName);
        try
        {
            pages.Hub = await HubProcess.StartAsync(ParleyRunner.Local, Path.Combine(pages.Root, "hub"), "--port", "0");
            pages._owned.Add(pages.Hub);
            var nodes = new List<NodeProcess>();
            foreach (var name in new[] { "alice", "bob", "carol" })
            {
                var node = await NodeProcess.StartAsync(ParleyRunner.Local, Path.Combine(pages.Root, name),
                    "--name", name, "--port", "0", "--api-port", "0", "--no-discovery", "--hub", pages.Hub.Invite);
                pages._owned.Add(node);
                nodes.Add(node);
            }
            await TeamAsync(nodes[0], nodes[1..]);
            await NodeProcess.BefriendAsync(nodes[0], nodes[1]);
            pages._playwright = await Playwright.CreateAsync();
            pages._browser = await ProbePages.LaunchAsync(pages._playwright, pages.Root, null);
            var people = new List<CallSide>();
            foreach (var node in nodes)
            {
                var page = await ProbePages.SignedInAsync(pages._browser, node);
                await page.Context.AddInitScriptAsync(JanusProbe);
                await StampAsync(page, people.Count + 1);
                pages._origins.Add(new Uri(page.Url).GetLeftPart(UriPartial.Authority));
                people.Add(new CallSide(Path.GetFileName(node.Home), node, page));
            }
            pages.People = people;
            await pages.ReloadAsync();
            return pages;
        }
        catch
        {
            await pages.DisposeAsync();
            throw;
        }
    }

    /// <summary>#team, made by the first and joined by the others (rooms are invite-only: each is invited by device ID first).</summary>
    private static async Task TeamAsync(NodeProcess maker, IEnumerable<NodeProcess> members)
    {
        await Must(maker.CliAsync("room", "create", "team"));
        foreach (var member in members)
        {
            await Must(maker.CliAsync("room", "invite", "#team", (await member.StatusAsync()).GetProperty("deviceId").GetString()!));
            await Must(member.CliAsync("room", "join", "team"));
        }
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await maker.CliAsync("room", "members", "team", "--json")).Json.GetArrayLength() < 3)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("bob and carol did not show as members of #team within 30 s");
            }
            await Task.Delay(100);
        }
    }

    private static async Task Must(Task<CliResult> command)
    {
        var result = await command;
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(result.Error);
        }
    }

    /// <summary>Tells the probe on the page's origin its sender number and the camera's height (it reads them as the page loads).</summary>
    public static Task StampAsync(IPage page, int sender) =>
        page.EvaluateAsync("([sender, height]) => { localStorage.setItem('parley-bench-sender', sender); localStorage.setItem('parley-bench-camera-height', height); }",
            new[] { sender, CameraHeight });

    /// <summary>Every page afresh on its node's web UI (no call, the probe's counts empty), signed in still.</summary>
    public async Task ReloadAsync()
    {
        for (var i = 0; i < People.Count; i++)
        {
            var page = People[i].Page;
            if (page.Url.StartsWith(_origins[i], StringComparison.Ordinal))
            {
                await page.ReloadAsync();
            }
            else
            {
                await page.GotoAsync($"{_origins[i]}/");
            }
            await page.WaitForSelectorAsync("#nav a");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }
        _playwright?.Dispose();
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }
        Directory.Delete(Root, recursive: true);
    }
}
