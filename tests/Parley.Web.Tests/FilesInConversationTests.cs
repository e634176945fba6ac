using Microsoft.Playwright;
using Parley.Testing;
using static Microsoft.Playwright.Assertions;

namespace Parley.Web.Tests;

/// <summary>
/// Files sent from a conversation are entries of both timelines: named ("a.txt and 1 more"),
/// accepted there, "verified" at the end in one line, and Open hands the landed file to the
/// desktop's opener (here a script that writes down what it was given).
/// </summary>
public sealed class FilesInConversationTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-webfiles-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Sent_files_are_in_both_timelines_verified_and_open_from_there()
    {
        var opened = Path.Combine(_root, "opened.txt");
        var opener = Path.Combine(_root, "opener.sh");
        await File.WriteAllTextAsync(opener, $"#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{opened}'\n");
        File.SetUnixFileMode(opener, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var bobRunner = new ParleyRunner { Environment = new Dictionary<string, string> { ["PARLEY_OPENER"] = opener } };

        await using var browser = await Browser.LaunchAsync();
        await using var alice = await WebNode.StartAsync(browser, Path.Combine(_root, "alice"), "alice");
        await using var bob = await WebNode.StartAsync(bobRunner, browser, Path.Combine(_root, "bob"), "bob");
        await NodeProcess.BefriendAsync(alice.Node, bob.Node);
        var aliceId = (await alice.Node.StatusAsync()).GetProperty("deviceId").GetString()!;
        var bobId = (await bob.Node.StatusAsync()).GetProperty("deviceId").GetString()!;
        var first = Path.Combine(_root, "photo.png");
        var second = Path.Combine(_root, "notes.txt");
        await File.WriteAllBytesAsync(first, new byte[200_000]);
        await File.WriteAllTextAsync(second, "notes");

        await alice.GoAsync($"chats/{bobId}");
        await bob.GoAsync($"chats/{aliceId}");
        var chooser = await alice.Page.RunAndWaitForFileChooserAsync(() => alice.Page.GetByRole(AriaRole.Button, new() { Name = "Send files" }).ClickAsync());
        await chooser.SetFilesAsync([first, second]);

        // Offered: in both timelines, every file named; nothing stacked over the composer.
        var bobEntry = bob.Page.Locator(".file-entry");
        await Expect(bobEntry.Locator(".offer-card")).ToContainTextAsync("photo.png");
        await Expect(alice.Page.Locator(".file-entry")).ToContainTextAsync("photo.png and 1 more");
        await Expect(alice.Page.Locator(".file-strip")).ToHaveCountAsync(0);
        await bobEntry.GetByRole(AriaRole.Button, new() { Name = "Accept" }).ClickAsync();

        // Over: one line each, "verified"; bob opens what he got.
        foreach (var page in new[] { alice.Page, bob.Page })
        {
            var done = page.Locator(".file-entry[data-transfer-state='completed']");
            await Expect(done).ToContainTextAsync("verified", new() { Timeout = 15_000 });
            await Expect(done).ToContainTextAsync("photo.png and 1 more");
            await Expect(done.Locator("progress")).ToHaveCountAsync(0);
        }
        await Screenshots.SaveAsync(bob.Page, "files-in-conversation");
        var bobDone = bob.Page.Locator(".file-entry[data-transfer-state='completed']");
        await bobDone.GetByRole(AriaRole.Button, new() { Name = "Show folder" }).ClickAsync();
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (!File.Exists(opened) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        Assert.Equal(Path.Combine(bob.Node.Home, "downloads"), (await File.ReadAllTextAsync(opened)).Trim());

        // The Files view picks with buttons; the raw inputs are not shown.
        await alice.GoAsync("files");
        await Expect(alice.Page.GetByRole(AriaRole.Button, new() { Name = "Choose files…" })).ToBeVisibleAsync();
        await Expect(alice.Page.GetByRole(AriaRole.Button, new() { Name = "Choose a folder…" })).ToBeVisibleAsync();
        await Expect(alice.Page.Locator("input[type=file]:visible")).ToHaveCountAsync(0);
        Assert.Empty(browser.Errors);
    }
}
