using System.Diagnostics;
using Microsoft.Playwright;
using Parley.Testing;

namespace Parley.Web.Tests;

/// <summary>A <c>parley up</c> process and a browser page signed in to it through <c>parley open</c>'s link.</summary>
internal sealed class WebNode : IAsyncDisposable
{
    private WebNode(NodeProcess node, IPage page, string baseUrl)
    {
        Node = node;
        Page = page;
        BaseUrl = baseUrl;
    }

    public NodeProcess Node { get; }

    public IPage Page { get; }

    /// <summary>http://127.0.0.1:PORT</summary>
    public string BaseUrl { get; }

    public static async Task<WebNode> StartAsync(Browser browser, string home, string name, int width = 1280, params string[] upArgs)
    {
        var node = await NodeProcess.StartAsync(ParleyRunner.Local, home, ["--port", "0", "--api-port", "0", "--no-discovery", "--name", name, .. upArgs]);
        var page = await browser.NewPageAsync(width);
        var url = await LoginUrlAsync(node);
        await page.GotoAsync(url);
        await page.WaitForSelectorAsync("#nav a");
        return new WebNode(node, page, url[..url.IndexOf("/login", StringComparison.Ordinal)]);
    }

    /// <summary>What <c>parley open --no-browser</c> prints: the one-time login link.</summary>
    public static async Task<string> LoginUrlAsync(NodeProcess node)
    {
        var open = await node.CliAsync("open", "--no-browser");
        Assert.True(open.ExitCode == 0, open.Error);
        var url = open.Out.Trim();
        Assert.Matches("^http://127\\.0\\.0\\.1:\\d+/login\\?token=[0-9a-f]{64}$", url);
        return url;
    }

    public Task GoAsync(string view) => Page.GotoAsync($"{BaseUrl}/#/{view}");

    public async ValueTask DisposeAsync()
    {
        await Page.Context.CloseAsync();
        await Node.DisposeAsync();
    }
}

/// <summary>A <c>parley hub</c> process, for rooms.</summary>
internal sealed class HubProcess : IAsyncDisposable
{
    private readonly Process _process;

    private HubProcess(Process process, string invite)
    {
        _process = process;
        Invite = invite;
    }

    public string Invite { get; }

    public static async Task<HubProcess> StartAsync(string home)
    {
        var process = Process.Start(ParleyRunner.Local.StartInfo(["--home", home, "hub", "--port", "0"]))!;
        string? invite = null;
        while (await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(30)) is { } line && line != "ready")
        {
            if (line.TrimStart().StartsWith("invite", StringComparison.Ordinal))
            {
                invite = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
            }
        }
        Assert.NotNull(invite);
        return new HubProcess(process, invite!);
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
