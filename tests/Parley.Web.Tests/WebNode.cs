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

    public static Task<WebNode> StartAsync(Browser browser, string home, string name, int width = 1280, params string[] upArgs) =>
        StartAsync(ParleyRunner.Local, browser, home, name, width, upArgs);

    public static async Task<WebNode> StartAsync(ParleyRunner runner, Browser browser, string home, string name, int width = 1280, params string[] upArgs)
    {
        var node = await NodeProcess.StartAsync(runner, home, ["--port", "0", "--api-port", "0", "--no-discovery", "--name", name, .. upArgs]);
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
        try
        {
            // Chromium now and then never answers a context's close (most often with media running): bounded.
            await Page.Context.CloseAsync().WaitAsync(TimeSpan.FromSeconds(15));
        }
        catch (TimeoutException)
        {
            // Chromium's quirk, not the test's failure: the browser's own dispose ends the process.
            Console.Error.WriteLine("a browser context did not close within 15 s; left to the browser's dispose");
        }
        finally
        {
            await Node.DisposeAsync();
        }
    }
}
