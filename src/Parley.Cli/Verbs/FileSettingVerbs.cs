using Parley.Node.Api;
using Parley.Node.Files;

namespace Parley.Cli.Verbs;

internal sealed class AutoAcceptVerb : IVerb
{
    public string Name => "auto-accept";

    public string Arguments => "<peer> on|off";

    public string Summary => "accept this contact's offers without asking (off unless turned on)";

    public async Task<int> RunAsync(CliContext context)
    {
        context.Args.ExpectPositional(2, 2);
        var enabled = context.Args.Positional[1] switch
        {
            "on" => true,
            "off" => false,
            _ => throw new UsageException("say on or off"),
        };
        using var api = context.Api();
        await api.PostAsync<AutoAcceptInfo>($"api/peers/{ApiClient.Segment(context.Args.Positional[0])}/auto-accept", new AutoAcceptRequest(enabled)).ConfigureAwait(false);
        context.Out.WriteLine($"auto-accept {(enabled ? "on" : "off")}");
        return ExitCodes.Ok;
    }
}

internal sealed class SettingsVerb : IVerb
{
    public string Name => "settings";

    public string Arguments => "[--download-folder DIR] [--json]";

    public string Summary => "show or change settings (download folder)";

    public IReadOnlyCollection<string> ValuedOptions => ["--download-folder"];

    public IReadOnlyCollection<string> FlagOptions => ["--json"];

    public async Task<int> RunAsync(CliContext context)
    {
        context.Args.ExpectPositional(0, 0);
        using var api = context.Api();
        var folder = context.Args.Value("--download-folder");
        var settings = folder is null
            ? await api.GetAsync<SettingsView>("api/settings").ConfigureAwait(false)
            : await api.PostAsync<SettingsView>("api/settings", new SettingsRequest(Path.GetFullPath(folder), Discovery: null)).ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(settings);
        }
        else
        {
            context.Out.WriteLine($"download folder  {TerminalText.Safe(settings.DownloadFolder)}");
        }
        return ExitCodes.Ok;
    }
}
