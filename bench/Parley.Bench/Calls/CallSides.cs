using Microsoft.Playwright;
using Parley.Testing;

namespace Parley.Bench.Calls;

/// <summary>One person in the call bench: their node (a <c>parley up</c> process) and a page signed in to it.</summary>
internal sealed record CallSide(string Name, NodeProcess Node, IPage Page);

/// <summary>
/// Alice and bob for one network path, with Chromium pages carrying the probe: on loopback (both
/// nodes and one browser here), or in two network namespaces joined by a <see cref="DelayBridge"/>
/// (each node and its browser inside its own namespace, so WebRTC and Parley cross the same wire).
/// </summary>
internal sealed class CallSides : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly List<IBrowser> _browsers = [];
    private IPlaywright? _playwright;

    public required string Root { get; init; }

    public NetworkNamespaces? Lan { get; private set; }

    public CallSide Alice { get; private set; } = null!;

    public CallSide Bob { get; private set; } = null!;

    public static async Task<CallSides> OnLoopbackAsync()
    {
        var sides = new CallSides { Root = Directory.CreateTempSubdirectory("parley-bench-call-").FullName };
        sides._playwright = await Playwright.CreateAsync();
        var browser = await sides.LaunchAsync(null);
        var alice = await sides.StartNodeAsync(ParleyRunner.Local, "alice", "--port", "0", "--api-port", "0");
        var bob = await sides.StartNodeAsync(ParleyRunner.Local, "bob", "--port", "0", "--api-port", "0");
        await NodeProcess.BefriendAsync(alice, bob);
        sides.Alice = new CallSide("alice", alice, await SignedInPageAsync(browser, alice));
        sides.Bob = new CallSide("bob", bob, await SignedInPageAsync(browser, bob));
        return sides;
    }

    public static async Task<CallSides> ApartAsync(TimeSpan oneWay)
    {
        var sides = new CallSides { Root = Directory.CreateTempSubdirectory("parley-bench-call-").FullName };
        sides._playwright = await Playwright.CreateAsync();
        var lan = sides.Lan = NetworkNamespaces.Create(oneWay);
        var alice = await sides.StartNodeAsync(ParleyRunner.InNamespace(lan.A), "alice");
        var bob = await sides.StartNodeAsync(ParleyRunner.InNamespace(lan.B), "bob");
        var aliceId = (await alice.StatusAsync()).GetProperty("deviceId").GetString()!;
        var bobId = (await bob.StatusAsync()).GetProperty("deviceId").GetString()!;
        await alice.CliAsync("add", bobId, $"{lan.AddressB}:47800");
        await bob.CliAsync("add", aliceId, $"{lan.AddressA}:47800");
        sides.Alice = new CallSide("alice", alice, await SignedInPageAsync(await sides.LaunchAsync(lan.A), alice));
        sides.Bob = new CallSide("bob", bob, await SignedInPageAsync(await sides.LaunchAsync(lan.B), bob));
        return sides;
    }

    private async Task<NodeProcess> StartNodeAsync(ParleyRunner runner, string name, params string[] args)
    {
        string[] extra = Environment.GetEnvironmentVariable("PARLEY_BENCH_NODE_ARGS") is { Length: > 0 } more ? more.Split(' ') : [];
        var node = await NodeProcess.StartAsync(runner, Path.Combine(Root, name), ["--name", name, "--no-discovery", .. args, .. extra]);
        _owned.Add(node);
        return node;
    }

    private async Task<IBrowser> LaunchAsync(string? networkNamespace)
    {
        var browser = await ProbePages.LaunchAsync(_playwright!, Root, networkNamespace);
        _browsers.Add(browser);
        return browser;
    }

    private static Task<IPage> SignedInPageAsync(IBrowser browser, NodeProcess node) => ProbePages.SignedInAsync(browser, node);

    public async Task ReloadAsync()
    {
        foreach (var page in new[] { Alice.Page, Bob.Page })
        {
            await page.ReloadAsync();
            await page.WaitForSelectorAsync("#nav a");
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var browser in _browsers)
        {
            await browser.CloseAsync();
        }
        _playwright?.Dispose();
        foreach (var owned in _owned)
        {
            await owned.DisposeAsync();
        }
        Lan?.Dispose();
        Directory.Delete(Root, recursive: true);
    }
}
