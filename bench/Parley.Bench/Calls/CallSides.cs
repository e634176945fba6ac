using System.Text.Json;
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
    private static readonly string Probe = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Calls", "call-probe.js"));
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

    /// <summary>Headless Chromium with a fake microphone, in a namespace when one is named (through a wrapper that enters it).</summary>
    private async Task<IBrowser> LaunchAsync(string? networkNamespace)
    {
        var executable = "/usr/bin/chromium";
        // Network namespaces are Linux's: the bench runs the namespaced arms only there.
        if (networkNamespace is not null && OperatingSystem.IsLinux())
        {
            executable = Path.Combine(Root, $"chromium-in-{networkNamespace}");
            await File.WriteAllTextAsync(executable, $"#!/bin/sh\nexec ip netns exec {networkNamespace} /usr/bin/chromium \"$@\"\n");
            File.SetUnixFileMode(executable, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var browser = await _playwright!.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = executable,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", "--autoplay-policy=no-user-gesture-required",
                // Host candidates as addresses, not mDNS names nobody here would answer.
                "--disable-features=WebRtcHideLocalIpsWithMdns",
            ],
        });
        _browsers.Add(browser);
        return browser;
    }

    private static async Task<IPage> SignedInPageAsync(IBrowser browser, NodeProcess node)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1280, Height = 800 },
            Permissions = ["camera", "microphone"],
        });
        context.SetDefaultTimeout(30_000);
        await context.AddInitScriptAsync(Probe);
        var page = await context.NewPageAsync();
        if (Environment.GetEnvironmentVariable("PARLEY_BENCH_CONSOLE") is "1")
        {
            page.Console += (_, message) => Console.WriteLine($"  [page of {node.Home}] {message.Text}");
        }
        var open = await node.CliAsync("open", "--no-browser");
        await page.GotoAsync(open.Out.Trim());
        await page.WaitForSelectorAsync("#nav a");
        return page;
    }

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
