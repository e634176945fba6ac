using Microsoft.Playwright;

namespace Parley.Web.Tests;

/// <summary>
/// The system Chromium (/usr/bin/chromium) driven headless by Playwright: no browser download, and
/// the flags Chromium needs to run as root in CI. Fake camera and microphone are on for later call tests.
/// </summary>
internal sealed class Browser : IAsyncDisposable
{
    public const string ChromiumPath = "/usr/bin/chromium";
    private readonly IPlaywright _playwright;

    private Browser(IPlaywright playwright, IBrowser chromium)
    {
        _playwright = playwright;
        Chromium = chromium;
    }

    public IBrowser Chromium { get; }

    /// <summary>
    /// Headless Chromium with a fake camera and microphone; or, given an X <paramref name="display"/>,
    /// headed Chromium there that captures the real screen (the whole screen chosen without asking),
    /// still with a fake camera and microphone.
    /// </summary>
    public static async Task<Browser> LaunchAsync(string? display = null)
    {
        // Pages here are real (nodes, links, media): on a loaded machine 5 s is too short a wait.
        Microsoft.Playwright.Assertions.SetDefaultExpectTimeout(15_000);
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: install the Debian package 'chromium' (scripts/test does)");
        }
        string[] common =
        [
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            // The fake camera runs at 30 frames a second, as a webcam does (its own default is 20).
            "--disable-component-update", "--disable-sync", "--use-fake-device-for-media-stream=fps=30",
        ];
        var playwright = await Playwright.CreateAsync();
        var chromium = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = display is null,
            Args = display is null ? [.. common, "--use-fake-ui-for-media-stream"] : [.. common, "--auto-select-desktop-capture-source=Entire", "--enable-usermedia-screen-capturing"],
            Env = display is null ? null : new Dictionary<string, string> { ["DISPLAY"] = display },
        });
        return new Browser(playwright, chromium);
    }

    /// <summary>A fresh browser profile (cookies, storage) of the given width; tall enough for whole views.</summary>
    public async Task<IPage> NewPageAsync(int width = 1280, int height = 800, ColorScheme scheme = ColorScheme.Light)
    {
        var context = await Chromium.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            ColorScheme = scheme,
            Permissions = ["clipboard-read", "clipboard-write", "camera", "microphone"],
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        page.Dialog += (_, dialog) => Dialogs.Add(dialog.Message);
        page.PageError += (_, error) => Errors.Add(error);
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                Errors.Add($"{message.Text} ({message.Location})");
            }
        };
        return page;
    }

    /// <summary>Every alert/confirm/prompt any page raised: script injected through peer text would show here.</summary>
    public List<string> Dialogs { get; } = [];

    /// <summary>Uncaught script errors and console errors of every page.</summary>
    public List<string> Errors { get; } = [];

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Chromium.CloseAsync().WaitAsync(TimeSpan.FromSeconds(20));
        }
        catch (TimeoutException)
        {
            Console.Error.WriteLine("Chromium did not close within 20 s; ended with its Playwright driver");
        }
        finally
        {
            _playwright.Dispose(); // ends the Playwright driver, which takes a browser that did not close with it
        }
    }
}
