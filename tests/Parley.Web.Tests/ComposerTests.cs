using Microsoft.Playwright;
using Parley.Testing;
using static Microsoft.Playwright.Assertions;

namespace Parley.Web.Tests;

/// <summary>The composer never loses what is typed while the previous message is on its way (issue 19).</summary>
public sealed class ComposerTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-webcomposer-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Composer_TypingWhileAMessageIsInFlight_LosesNothing()
    {
        await using var browser = await Browser.LaunchAsync();
        await using var alice = await WebNode.StartAsync(browser, Path.Combine(_root, "alice"), "alice");
        await using var bob = await NodeProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, "bob"),
            "--port", "0", "--api-port", "0", "--no-discovery", "--name", "bob");
        await NodeProcess.BefriendAsync(alice.Node, bob);
        var bobId = (await bob.StatusAsync()).GetProperty("deviceId").GetString()!;

        // The node answers each send 600 ms late, as a loaded one might: typing goes on meanwhile.
        await alice.Page.RouteAsync("**/api/chat/*", async route =>
        {
            var response = await route.FetchAsync();
            if (route.Request.Method == "POST")
            {
                await Task.Delay(600);
            }
            await route.FulfillAsync(new() { Response = response });
        });
        await alice.GoAsync($"chats/{bobId}");
        var box = alice.Page.GetByRole(AriaRole.Textbox, new() { Name = "Message" });
        await box.FillAsync("first");
        await box.PressAsync("Enter");
        await box.PressSequentiallyAsync("second", new() { Delay = 20 });
        var sent = alice.Page.Locator(".msg.out .text");
        await Expect(sent).ToHaveTextAsync(["first"]);
        await Task.Delay(200);
        await Expect(box).ToHaveValueAsync("second");

        // Sent right after one another, both arrive, in order, and the box is empty.
        await box.PressAsync("Enter");
        await box.PressSequentiallyAsync("third", new() { Delay = 5 });
        await box.PressAsync("Enter");
        await Expect(sent).ToHaveTextAsync(["first", "second", "third"]);
        await Expect(box).ToHaveValueAsync("");
        Assert.Empty(browser.Errors);
    }
}
