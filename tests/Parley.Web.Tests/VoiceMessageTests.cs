using System.Diagnostics;
using System.Text.Json;
using Microsoft.Playwright;
using Parley.Testing;
using static Microsoft.Playwright.Assertions;

namespace Parley.Web.Tests;

/// <summary>
/// Issue 20 in the page, in a room of three on a hub: alice records a voice message with Chromium's fake
/// microphone, trims it in the editor and sends it; the message is as long as the part she kept (within
/// 100 ms); bob and carol see its waveform and play it (sound above silence); an image she attaches shows
/// its preview at both; a 10 MiB file she attaches is saved by bob, the same bytes.
/// </summary>
public sealed class VoiceMessageTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-web-voice-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task VoiceMessage_RecordedTrimmedSent_OthersSeeAndPlayIt_ImagePreviewShown()
    {
        await using var room = await RoomOfThree.StartAsync(_root);
        var (browser, alice, bob, carol) = (room.Browser, room.Alice, room.Bob, room.Carol);
        await alice.GoAsync("chats/%23team");

        // Record about three seconds: a click starts, the next click stops; the level moves meanwhile.
        var mic = alice.Page.GetByLabel("Record a voice message");
        await mic.ClickAsync();
        await Expect(alice.Page.Locator(".voice-panel .voice-level")).ToBeVisibleAsync();
        await alice.Page.WaitForFunctionAsync("() => document.querySelector('.voice-level')?.value > 0");
        await alice.Page.WaitForTimeoutAsync(3000);
        await mic.ClickAsync();
        var editor = alice.Page.Locator(".voice-editor");
        await Expect(editor).ToHaveAttributeAsync("data-duration-ms", new System.Text.RegularExpressions.Regex("^\\d+$"));
        var takeMs = int.Parse(await editor.GetAttributeAsync("data-duration-ms") ?? "0");
        Assert.InRange(takeMs, 2500, 4500);

        // Drag the start handle to 20 % and the end handle to 75 %.
        var wave = await alice.Page.Locator(".voice-edit-wave").BoundingBoxAsync();
        Assert.NotNull(wave);
        await DragAsync(alice.Page, wave, 0f, 0.2f);
        await DragAsync(alice.Page, wave, 1f, 0.75f);
        var startMs = int.Parse(await editor.GetAttributeAsync("data-start-ms") ?? "0");
        var endMs = int.Parse(await editor.GetAttributeAsync("data-end-ms") ?? "0");
        Assert.InRange(startMs, takeMs * 0.15, takeMs * 0.25);
        Assert.InRange(endMs, takeMs * 0.70, takeMs * 0.80);
        await Screenshots.SaveAsync(alice.Page, "voice-editor");

        await editor.GetByRole(AriaRole.Button, new() { Name = "Send", Exact = true }).ClickAsync();
        var sent = alice.Page.Locator(".msg.out .voice-player");
        await Expect(sent).ToBeVisibleAsync();
        var sentMs = int.Parse(await sent.GetAttributeAsync("data-duration-ms") ?? "0");
        Assert.InRange(sentMs, endMs - startMs - 100, endMs - startMs + 100);

        // An image: its preview is made in alice's page and shown at the others.
        var image = Path.Combine(_root, "photo.png");
        await RunAsync("ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc=size=1024x768", "-frames:v", "1", image);
        await alice.Page.Locator(".attach-picker").SetInputFilesAsync(image);
        await Expect(alice.Page.Locator(".msg.out .attachment.image img")).ToBeVisibleAsync();

        // A second voice message, from alice's terminal: it plays on after the first.
        var tone = Path.Combine(_root, "tone.wav");
        await RunAsync("ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "sine=f=440:d=2", tone);
        var second = await alice.Node.CliAsync("voice", "#team", tone);
        Assert.True(second.ExitCode == 0, second.Error);

        foreach (var member in new[] { bob, carol })
        {
            await member.GoAsync("chats/%23team");
            var player = member.Page.Locator(".msg.in .voice-player");
            await Expect(player).ToHaveCountAsync(2, new() { Timeout = 30_000 });
            Assert.Equal(sentMs.ToString(System.Globalization.CultureInfo.InvariantCulture), await player.First.GetAttributeAsync("data-duration-ms"));
            Assert.True(await player.First.Locator("canvas").EvaluateAsync<bool>(DrawnScript), "the waveform is not drawn");
            Assert.True(await member.Page.Locator(".msg.in .attachment.image img").EvaluateAsync<bool>(
                "img => img.complete ? img.naturalWidth > 0 : new Promise(r => { img.onload = () => r(img.naturalWidth > 0); img.onerror = () => r(false); })")
                .WaitAsync(PageEval.Bound), "the image preview did not load");
            var preview = await member.Page.Locator(".msg.in .attachment.image img").EvaluateAsync<int[]>("img => [img.naturalWidth, img.naturalHeight]");
            Assert.Equal([320, 240], preview);

            // Listen to the message's <audio> while it plays: louder than silence.
            await player.First.Locator("audio").EvaluateAsync(ListenScript);
            await player.First.GetByLabel("Play voice message").ClickAsync();
            await member.Page.WaitForFunctionAsync("() => window.__voicePeak > 0.02", null, new() { Timeout = 15_000 });
            await Expect(player.First).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("playing"));
            if (member == bob)
            {
                // 2x holds for every message, and when the first ends the next one plays on.
                await player.First.GetByLabel("Playback speed").ClickAsync();
                await player.First.GetByLabel("Playback speed").ClickAsync();
                await Expect(player.Nth(1).GetByLabel("Playback speed")).ToHaveTextAsync("2x");
                await Expect(player.Nth(1)).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("playing"), new() { Timeout = 20_000 });
                Assert.Equal(2.0, await player.Nth(1).Locator("audio").EvaluateAsync<double>("a => a.playbackRate"));
            }
        }
        await bob.Page.Locator(".scroller").EvaluateAsync("s => { s.scrollTop = s.scrollHeight; }");
        await Screenshots.SaveAsync(bob.Page, "room-attachments");
        Assert.Empty(browser.Dialogs);
        Assert.True(browser.Errors.Count == 0, string.Join("\n", browser.Errors));
    }

    /// <summary>Issue 20's file attachment in the page: 10 MiB attached in a room of three, saved by a member with Save; the file on disk is the same bytes.</summary>
    [Fact]
    public async Task FileAttachment_Of10MiB_InARoom_SavedByAMember_HasTheSameSha256()
    {
        await using var room = await RoomOfThree.StartAsync(_root);
        var (browser, alice, bob, carol) = (room.Browser, room.Alice, room.Bob, room.Carol);

        var file = Path.Combine(_root, "report.bin");
        await File.WriteAllBytesAsync(file, System.Security.Cryptography.RandomNumberGenerator.GetBytes(10 * 1024 * 1024));
        await alice.GoAsync("chats/%23team");
        await alice.Page.Locator(".attach-picker").SetInputFilesAsync(file);
        await Expect(alice.Page.Locator(".msg.out .attachment-name")).ToHaveTextAsync("report.bin", new() { Timeout = 60_000 });

        await bob.GoAsync("chats/%23team");
        var received = bob.Page.Locator(".msg.in .attachment-file").Filter(new() { HasText = "report.bin" });
        await Expect(received.Locator(".attachment-size")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("10(\\.0)? MiB"), new() { Timeout = 30_000 });
        await received.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();
        var toast = bob.Page.Locator(".toast").Filter(new() { HasText = "Saved to " });
        await Expect(toast).ToBeVisibleAsync(new() { Timeout = 60_000 });
        var savedPath = (await toast.First.TextContentAsync())!["Saved to ".Length..].Trim();
        Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(file))),
            Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(savedPath))));
        Assert.True(browser.Errors.Count == 0, string.Join("\n", browser.Errors));
    }

    /// <summary>A voice message's waveform and duration come from its sender: any value out of shape and it is drawn as a plain file.</summary>
    [Fact]
    public async Task VoiceMessage_WithMalformedWaveformOrDuration_IsShownAsAFile()
    {
        await using var browser = await Browser.LaunchAsync();
        await using var alice = await WebNode.StartAsync(browser, Path.Combine(_root, "alice"), "alice");
        var page = await browser.NewPageAsync();
        IWebSocketRoute? events = null;
        await page.RouteWebSocketAsync("**/api/events", ws =>
        {
            ws.ConnectToServer();
            events = ws;
        });
        await page.GotoAsync(await WebNode.LoginUrlAsync(alice.Node));
        await page.GotoAsync($"{alice.BaseUrl}/#/chats/%23team");
        await Expect(page.GetByRole(AriaRole.List, new() { Name = "Messages" })).ToBeAttachedAsync(); // a room we are not in: only what arrives shows
        Assert.NotNull(events);

        var cases = new (string Name, object? Waveform, object? DurationMs, bool Playable)[]
        {
            ("good.ogg", new[] { 10, 200, 30 }, 1500, true),
            ("loud.ogg", new[] { 10, 300, 30 }, 1500, false),
            ("fraction.ogg", new[] { 10.5, 20 }, 1500, false),
            ("long-wave.ogg", Enumerable.Repeat(9, 129).ToArray(), 1500, false),
            ("negative.ogg", new[] { 10, 20 }, -5, false),
            ("endless.ogg", new[] { 10, 20 }, 3_600_000, false),
            ("no-wave.ogg", null, 1500, false),
            ("text-wave.ogg", "1,2,3", 1500, false),
        };
        var seq = 1;
        foreach (var c in cases)
        {
            var id = Guid.NewGuid();
            var attachment = new Dictionary<string, object?>
            {
                ["id"] = id, ["kind"] = "voice", ["name"] = c.Name, ["mime"] = "audio/ogg", ["size"] = 4000, ["sha256"] = new string('0', 64),
                ["durationMs"] = c.DurationMs, ["waveform"] = c.Waveform, ["hasPreview"] = false, ["state"] = "remote",
            };
            var message = new Dictionary<string, object?>
            {
                ["id"] = id, ["peer"] = "#team", ["room"] = "#team", ["sender"] = "bob-device", ["peerName"] = "bob", ["outgoing"] = false,
                ["text"] = "", ["sentAt"] = DateTimeOffset.UtcNow, ["state"] = "received", ["seq"] = seq++, ["attachment"] = attachment,
            };
            events!.Send(JsonSerializer.Serialize(new { type = "message", data = message }));
            var shown = page.Locator($"[data-attachment='{id}']");
            await Expect(shown).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(c.Playable ? "voice" : "file"));
            await Expect(shown.Locator(".voice-player")).ToHaveCountAsync(c.Playable ? 1 : 0);
            if (!c.Playable)
            {
                await Expect(shown.Locator(".attachment-name")).ToHaveTextAsync(c.Name);
            }
        }
        Assert.Empty(browser.Dialogs);
    }

    /// <summary>
    /// A file the node refuses as too large for an attachment (413) is offered as a transfer in a 1:1, and goes as
    /// one when accepted. The node's answer is stood in for (route), so the test does not push 64 MiB through the page.
    /// </summary>
    [Fact]
    public async Task Attachment_OverTheCap_InAOneToOne_IsOfferedAsATransfer()
    {
        await using var browser = await Browser.LaunchAsync();
        await using var alice = await WebNode.StartAsync(browser, Path.Combine(_root, "alice"), "alice");
        await using var bob = await NodeProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, "bob"), "--port", "0", "--api-port", "0", "--no-discovery", "--name", "bob");
        await NodeProcess.BefriendAsync(alice.Node, bob);
        var bobId = (await bob.StatusAsync()).GetProperty("deviceId").GetString()!;
        await alice.Page.RouteAsync("**/api/attachments/*", route => route.FulfillAsync(new()
        {
            Status = 413, ContentType = "application/json", Body = "{\"error\":\"Request body too large. The max request body size is 67108864 bytes.\"}",
        }));
        var big = Path.Combine(_root, "big.bin");
        await File.WriteAllBytesAsync(big, new byte[100_000]);

        await alice.GoAsync($"chats/{bobId}");
        await alice.Page.Locator(".attach-picker").SetInputFilesAsync(big);
        var dialog = alice.Page.Locator("dialog[open]");
        await Expect(dialog).ToContainTextAsync("Too large for an attachment");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Send as transfer" }).ClickAsync();
        await Expect(alice.Page.Locator(".file-entry.out")).ToContainTextAsync("big.bin");
        Assert.Empty(browser.Dialogs);
    }

    /// <summary>Any painted pixel on the canvas.</summary>
    private const string DrawnScript = "c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) return true; return false; }";

    /// <summary>
    /// Routes the element through an AnalyserNode (and on to the speakers) once the next click — a real user
    /// gesture, so the context may run — happens; keeps the loudest sample seen in window.__voicePeak.
    /// </summary>
    private const string ListenScript = """
        audio => {
          window.__voicePeak = 0;
          document.addEventListener('pointerdown', () => {
            const context = new AudioContext();
            const analyser = context.createAnalyser();
            context.createMediaElementSource(audio).connect(analyser);
            analyser.connect(context.destination);
            const samples = new Float32Array(analyser.fftSize);
            const tick = () => {
              analyser.getFloatTimeDomainData(samples);
              for (const s of samples) window.__voicePeak = Math.max(window.__voicePeak, Math.abs(s));
              requestAnimationFrame(tick);
            };
            tick();
          }, { once: true, capture: true });
        }
        """;

    private static async Task DragAsync(IPage page, LocatorBoundingBoxResult box, float from, float to)
    {
        var y = box.Y + box.Height / 2;
        await page.Mouse.MoveAsync(box.X + 1 + (box.Width - 2) * from, y);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(box.X + box.Width * to, y, new() { Steps = 8 });
        await page.Mouse.UpAsync();
    }

    private static async Task RunAsync(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardError = true };
        arguments.ToList().ForEach(start.ArgumentList.Add);
        using var process = Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, error);
    }
}
