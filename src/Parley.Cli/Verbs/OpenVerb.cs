using System.Diagnostics;
using Parley.Node.Api;

namespace Parley.Cli.Verbs;

/// <summary>Signs a browser in to the web UI: a one-time login link, opened in the desktop's browser when there is one.</summary>
internal sealed class OpenVerb : IVerb
{
    public string Name => "open";

    public string Arguments => "[--no-browser] [--json]";

    public string Summary => "print a one-time login link for the web UI (valid 2 minutes) and open it in a browser";

    public IReadOnlyCollection<string> FlagOptions => ["--no-browser", "--json"];

    public async Task<int> RunAsync(CliContext context)
    {
        context.Args.ExpectPositional(0, 0);
        using var api = context.Api();
        var url = (await api.PostAsync<LoginLinkView>("api/login-links").ConfigureAwait(false)).Url;
        var opened = !context.Args.Has("--no-browser") && TryOpenBrowser(url);
        if (context.Json)
        {
            context.WriteJson(new OpenedLink(url, opened));
            return ExitCodes.Ok;
        }
        context.Out.WriteLine(url);
        context.Error.WriteLine(opened
            ? "opened in your browser; the link works once, within 2 minutes"
            : "open this link in a browser on this computer; it works once, within 2 minutes");
        return ExitCodes.Ok;
    }

    /// <summary>Only where a desktop session is there to show it: $BROWSER, else xdg-open under X11 or Wayland.</summary>
    private static bool TryOpenBrowser(string url)
    {
        var browser = Environment.GetEnvironmentVariable("BROWSER");
        var desktop = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DISPLAY"))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("WAYLAND_DISPLAY"));
        var command = !string.IsNullOrWhiteSpace(browser) ? browser.Split(':')[0] : desktop ? "xdg-open" : null;
        if (command is null)
        {
            return false;
        }
        try
        {
            var info = new ProcessStartInfo(command) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            info.ArgumentList.Add(url);
            using var process = Process.Start(info);
            return process is not null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}

/// <summary>What <c>parley open --json</c> prints: the login link and whether a browser was started with it.</summary>
internal sealed record OpenedLink(string Url, bool Opened);
