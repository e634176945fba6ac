using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Playwright;
using Parley.Testing;
using static Microsoft.Playwright.Assertions;

namespace Parley.Web.Tests;

/// <summary>A long conversation scrolls back through history; files dropped on a conversation are offered.</summary>
public sealed class ConversationTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-webconv-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task History_ScrollsBack_And_DroppedFilesAreOffered()
    {
        await using var browser = await Browser.LaunchAsync();
        await using var alice = await WebNode.StartAsync(browser, Path.Combine(_root, "alice"), "alice");
        await using var bob = await NodeProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, "bob"),
            "--port", "0", "--api-port", "0", "--no-discovery", "--name", "bob");
        Assert.Equal(0, (await bob.CliAsync("add", (await alice.Node.CliAsync("invite")).Out.Trim())).ExitCode);
        var bobId = (await bob.StatusAsync()).GetProperty("deviceId").GetString()!;
        await alice.Node.WaitForRequestAsync(bobId);
        Assert.Equal(0, (await alice.Node.CliAsync("accept", bobId)).ExitCode);

        // 120 messages from bob, through his API as fast as it takes them.
        using var http = new HttpClient { BaseAddress = new Uri((await bob.StatusAsync()).GetProperty("apiUrl").GetString()!) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", File.ReadAllText(Path.Combine(bob.Home, "api-key")).Trim());
        var aliceId = (await alice.Node.StatusAsync()).GetProperty("deviceId").GetString()!;
        for (var i = 1; i <= 120; i++)
        {
            (await http.PostAsJsonAsync($"/api/chat/{aliceId}", new { text = $"message {i}" })).EnsureSuccessStatusCode();
        }
        await alice.GoAsync("chats");
        var item = alice.Page.Locator(".conversation-item", new() { HasText = "bob" });
        await Expect(item.Locator(".badge")).ToHaveTextAsync("120");
        await item.ClickAsync();

        var messages = alice.Page.Locator(".msg.in .text");
        await Expect(messages.Last).ToHaveTextAsync("message 120");
        await Expect(messages).ToHaveCountAsync(50);
        for (var shown = 100; shown <= 120; shown += 20)
        {
            await alice.Page.Locator(".scroller").EvaluateAsync("s => s.scrollTop = 0");
            await Expect(messages).ToHaveCountAsync(Math.Min(shown, 120));
        }
        await Expect(messages.First).ToHaveTextAsync("message 1");

        // A file dropped on the conversation is staged and offered to bob.
        await alice.Page.EvalAsync("""
            () => {
              const data = new DataTransfer();
              data.items.add(new File(['dropped bytes'], 'dropped.txt', { type: 'text/plain' }));
              const pane = document.querySelector('.conversation');
              pane.dispatchEvent(new DragEvent('dragover', { dataTransfer: data, bubbles: true, cancelable: true }));
              pane.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
            }
            """);
        await Expect(alice.Page.Locator(".transfer-card", new() { HasText = "dropped.txt" })).ToBeVisibleAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!(await bob.CliAsync("offers")).Out.Contains("dropped.txt", StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline, "bob never got the offer of the dropped file");
            await Task.Delay(200);
        }
        Assert.Empty(browser.Dialogs);
    }
}
