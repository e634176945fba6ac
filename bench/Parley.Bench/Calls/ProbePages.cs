using Microsoft.Playwright;
using Parley.Testing;

namespace Parley.Bench.Calls;

/// <summary>
/// Headless Chromium for the call benches, and pages signed in to a node that carry the probe
/// (call-probe.js: the stamped canvas camera and the reader of received frames).
/// </summary>
internal static class ProbePages
{
    private static readonly string Probe = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Calls", "call-probe.js"));

    /// <summary>A fake microphone (the camera is the probe's), in a network namespace when one is named (through a wrapper in <paramref name="root"/> that enters it).</summary>
    public static async Task<IBrowser> LaunchAsync(IPlaywright playwright, string root, string? networkNamespace)
    {
        var executable = "/usr/bin/chromium";
        // Network namespaces are Linux's: the bench runs the namespaced arms only there.
        if (networkNamespace is not null && OperatingSystem.IsLinux())
        {
            executable = Path.Combine(root, $"chromium-in-{networkNamespace}");
            await File.WriteAllTextAsync(executable, $"#!/bin/sh\nexec ip netns exec {networkNamespace} /usr/bin/chromium \"$@\"\n");
            File.SetUnixFileMode(executable, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
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
    }

    /// <summary>A page of its own context (its own storage) with the probe, signed in to <paramref name="node"/>'s web UI.</summary>
    public static async Task<IPage> SignedInAsync(IBrowser browser, NodeProcess node)
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
}
