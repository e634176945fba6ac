using Microsoft.Playwright;
using Parley.Testing;
using static Microsoft.Playwright.Assertions;

namespace Parley.Web.Tests;

/// <summary>
/// The page a used or expired login link shows (issue 19): styled without breaking the content
/// security policy, and naming the command that works for this node: `parley open` with the node's
/// own --home when it is not the default one.
/// </summary>
public sealed class RefusalPageTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-webrefusal-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task UsedLoginLink_ShowsAStyledPage_WithTheNodesOwnOpenCommand()
    {
        await using var browser = await Browser.LaunchAsync();
        var home = Path.Combine(_root, "alice home");
        await using var node = await NodeProcess.StartAsync(ParleyRunner.Local, home, "--port", "0", "--api-port", "0", "--no-discovery", "--name", "alice");
        var url = await WebNode.LoginUrlAsync(node);
        var first = await browser.NewPageAsync();
        await first.GotoAsync(url);
        await first.WaitForSelectorAsync("#nav a");

        var page = await browser.NewPageAsync();
        var reused = await page.GotoAsync(url);
        Assert.Equal(401, reused!.Status);
        await Expect(page.GetByText("used or has expired")).ToBeVisibleAsync();
        await Expect(page.Locator("code")).ToHaveTextAsync($"parley --home '{home}' open");

        // Its own style applies (a centred column, not the browser's default serif page), and the policy blocked nothing.
        Assert.NotEqual("none", await page.EvalAsync<string>("() => getComputedStyle(document.querySelector('main')).maxWidth"));
        Assert.DoesNotContain("Times", await page.EvalAsync<string>("() => getComputedStyle(document.body).fontFamily"), StringComparison.Ordinal);
        // (The console also says the page itself came with 401: that is the refusal, and meant.)
        Assert.DoesNotContain(browser.Errors, e => e.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task SessionEndedUnderAnOpenPage_SaysTheNodesOwnOpenCommand()
    {
        await using var browser = await Browser.LaunchAsync();
        var home = Path.Combine(_root, "bob");
        var node = await NodeProcess.StartAsync(ParleyRunner.Local, home, "--port", "0", "--api-port", "0", "--no-discovery", "--name", "bob");
        try
        {
            var page = await browser.NewPageAsync();
            var url = await WebNode.LoginUrlAsync(node);
            await page.GotoAsync(url);
            await page.WaitForSelectorAsync("#nav a");

            // The session is ended from another tab (sessions survive restarts now), then the node restarts on the
            // same port: the open page finds its session gone, and says how to get a new one.
            var other = await page.Context.NewPageAsync();
            await other.GotoAsync(new Uri(new Uri(url), "/#/settings").ToString());
            await other.GetByRole(AriaRole.Button, new() { Name = "Sign out of this browser" }).ClickAsync();
            await other.CloseAsync();
            var port = new Uri(url).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await node.DisposeAsync();
            node = await NodeProcess.StartAsync(ParleyRunner.Local, home, "--port", "0", "--api-port", port, "--no-discovery");
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Signed out" })).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Expect(page.Locator("code")).ToHaveTextAsync($"parley --home {home} open");
        }
        finally
        {
            await node.DisposeAsync();
        }
    }
}
