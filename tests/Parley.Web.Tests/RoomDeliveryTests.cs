using System.Text.Json;
using Microsoft.Playwright;
using Parley.Testing;
using static Microsoft.Playwright.Assertions;

namespace Parley.Web.Tests;

/// <summary>
/// A room that holds, as its members see it in the page: a hub process and three nodes. Alice's message
/// shows "delivered to 1 of 2" while carol is away and "✓✓ all" once carol is back; carol, back, finds
/// "new messages" before the first one she missed; a message waiting for its key is shown greyed, then
/// opens in its place.
/// </summary>
public sealed class RoomDeliveryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-web-rooms-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task DeliveryCounts_CatchUpMarker_WaitingForKeyOpensInPlace()
    {
        await using var browser = await Browser.LaunchAsync();
        await using var hub = await HubProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, "hub"), "--port", "0");
        string[] onHub = ["--hub", hub.Invite];
        await using var alice = await WebNode.StartAsync(browser, Path.Combine(_root, "alice"), "alice", 1280, onHub);
        await using var bob = await NodeProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, "bob"), Up("bob", onHub));
        var carolHome = Path.Combine(_root, "carol");
        var carol = await NodeProcess.StartAsync(ParleyRunner.Local, carolHome, Up("carol", onHub));
        await using (carol)
        {
            await RoomOfThreeAsync(alice.Node, bob, carol);
            await alice.GoAsync("chats/%23team");
            await SendAsync(alice.Page, "Hello all");
            await WaitForHistoryAsync(carol, "Hello all");
            await Expect(Delivery(alice.Page, "Hello all")).ToHaveTextAsync("✓✓ all");
        }

        // Carol is away (her node stopped; she is still a member): bob has it, she has not.
        await SendAsync(alice.Page, "While carol is away");
        await SendAsync(alice.Page, "And one more");
        var away = Delivery(alice.Page, "While carol is away");
        await Expect(away).ToHaveTextAsync("delivered to 1 of 2");
        await Expect(Delivery(alice.Page, "And one more")).ToHaveTextAsync("delivered to 1 of 2");
        await Screenshots.SaveAsync(alice.Page, "room-delivery-partial");

        // Carol comes back: she catches up, her read position reaches the hub, alice's counts move in place.
        await using var carolBack = await WebNode.StartAsync(browser, carolHome, "carol", 1280, onHub);
        await Expect(away).ToHaveTextAsync("✓✓ all");
        await Expect(away).ToHaveAttributeAsync("title", "delivered to 2 of 2");
        await Screenshots.SaveAsync(alice.Page, "room-delivery-all");

        // What she missed starts under "new messages"; what she had before is above it.
        await WaitForHistoryAsync(carolBack.Node, "And one more");
        await carolBack.GoAsync("chats/%23team");
        var marker = carolBack.Page.Locator(".unread-marker");
        await Expect(marker).ToHaveCountAsync(1);
        await Expect(carolBack.Page.Locator(".unread-marker + .msg .text")).ToHaveTextAsync("While carol is away");
        await Expect(carolBack.Page.Locator(".msg", new() { HasText = "Hello all" })).ToBeVisibleAsync();
        var timeline = await Timeline(carolBack.Page);
        Assert.True(timeline.FindIndex(t => t.Contains("Hello all", StringComparison.Ordinal)) < timeline.IndexOf("new messages"), string.Join(" | ", timeline));
        await Screenshots.SaveAsync(carolBack.Page, "room-unread-marker");

        // Read once, the marker is not shown again.
        await carolBack.GoAsync("chats");
        await carolBack.GoAsync("chats/%23team");
        await Expect(carolBack.Page.Locator(".msg", new() { HasText = "And one more" })).ToBeVisibleAsync();
        await Expect(carolBack.Page.Locator(".unread-marker")).ToHaveCountAsync(0);

        await WaitingForKeyOpensInPlaceAsync(browser, carolBack);

        Assert.Empty(browser.Dialogs);
        Assert.True(browser.Errors.Count == 0, string.Join("\n", browser.Errors));
    }

    private static string[] Up(string name, string[] extra) => ["--port", "0", "--api-port", "0", "--no-discovery", "--name", name, .. extra];

    internal static async Task RoomOfThreeAsync(NodeProcess alice, NodeProcess bob, NodeProcess carol)
    {
        Assert.Equal(0, (await alice.CliAsync("room", "create", "team")).ExitCode);
        foreach (var member in new[] { bob, carol })
        {
            // Rooms are invite-only: alice invites each by device ID before it joins.
            var id = (await member.StatusAsync()).GetProperty("deviceId").GetString()!;
            var invited = await alice.CliAsync("room", "invite", "#team", id);
            Assert.True(invited.ExitCode == 0, invited.Error);
            var joined = await member.CliAsync("room", "join", "team");
            Assert.True(joined.ExitCode == 0, joined.Error);
        }
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while ((await alice.CliAsync("room", "members", "team", "--json")).Json.GetArrayLength() < 3)
        {
            Assert.True(DateTime.UtcNow < deadline, "bob and carol did not show as members of #team within 20 s");
            await Task.Delay(100);
        }
    }

    private static async Task SendAsync(IPage page, string text)
    {
        var box = page.GetByLabel("Message", new() { Exact = true });
        await box.FillAsync(text);
        await box.PressAsync("Enter");
        await Expect(page.Locator(".msg.out .text", new() { HasText = text })).ToBeVisibleAsync();
    }

    private static ILocator Delivery(IPage page, string text) => page.Locator(".msg.out", new() { HasText = text }).Locator(".delivery");

    /// <summary>Waits until the node's history of #team holds <paramref name="text"/> (it has caught up that far).</summary>
    private static async Task WaitForHistoryAsync(NodeProcess node, string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var history = await node.CliAsync("history", "#team", "--json");
            if (history.ExitCode == 0 && history.Json.EnumerateArray().Any(m => m.GetProperty("text").GetString() == text))
            {
                return;
            }
            Assert.True(DateTime.UtcNow < deadline, $"'{text}' did not reach {node.Home} within 20 s:\n{history.Out}{history.Error}");
            await Task.Delay(100);
        }
    }

    /// <summary>The conversation's lines from the top, each as its text.</summary>
    private static async Task<List<string>> Timeline(IPage page) =>
        [.. await page.Locator(".messages > li").EvaluateAllAsync<string[]>("els => els.map(e => e.textContent)")];

    /// <summary>
    /// A message whose key has not come yet, then the same message opened (a new ID at the same seq), as the
    /// node publishes them. A missing key cannot be arranged between honest nodes (the hub holds keys until
    /// members acknowledge them), so the two events are put on the page's event stream here.
    /// </summary>
    private static async Task WaitingForKeyOpensInPlaceAsync(Browser browser, WebNode carol)
    {
        var page = await browser.NewPageAsync();
        IWebSocketRoute? events = null;
        await page.RouteWebSocketAsync("**/api/events", ws =>
        {
            ws.ConnectToServer();
            events = ws;
        });
        await page.GotoAsync(await WebNode.LoginUrlAsync(carol.Node));
        await page.GotoAsync($"{carol.BaseUrl}/#/chats/%23team");
        await Expect(page.Locator(".msg", new() { HasText = "And one more" })).ToBeVisibleAsync();
        Assert.NotNull(events);

        var waitingId = Guid.NewGuid();
        var message = new Dictionary<string, object?>
        {
            ["id"] = waitingId, ["peer"] = "#team", ["room"] = "#team", ["sender"] = "bob-device", ["peerName"] = "bob", ["outgoing"] = false,
            ["text"] = "", ["sentAt"] = DateTimeOffset.UtcNow, ["state"] = "waitingForKey", ["seq"] = 1_000_000, ["roomSeq"] = 1_000, ["waitingFor"] = "bob",
        };
        events.Send(JsonSerializer.Serialize(new { type = "message", data = message }));
        var waiting = page.Locator(".msg.waiting");
        await Expect(waiting).ToContainTextAsync("waiting for key from bob");
        await Expect(waiting.Locator(".sender")).ToHaveTextAsync("bob");
        await Screenshots.SaveAsync(page, "room-waiting-for-key");
        var count = await page.Locator(".messages > li").CountAsync();

        message["id"] = Guid.NewGuid();
        message["state"] = "received";
        message["text"] = "Opened in place";
        message.Remove("waitingFor");
        events.Send(JsonSerializer.Serialize(new { type = "message", data = message }));
        await Expect(page.Locator(".messages > li").Last).ToContainTextAsync("Opened in place");
        await Expect(waiting).ToHaveCountAsync(0);
        await Expect(page.Locator($"[data-id='{waitingId}']")).ToHaveCountAsync(0);
        Assert.Equal(count, await page.Locator(".messages > li").CountAsync());
        await page.Context.CloseAsync();
    }
}
