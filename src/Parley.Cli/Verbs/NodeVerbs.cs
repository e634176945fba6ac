using Parley.Node.Api;

namespace Parley.Cli.Verbs;

internal sealed class StopVerb : IVerb
{
    public string Name => "stop";

    public string Arguments => "";

    public string Summary => "stop the running node (links are closed with a reason)";

    public async Task<int> RunAsync(CliContext context)
    {
        context.Args.ExpectPositional(0, 0);
        using var api = context.Api();
        await api.PostWithoutReplyAsync("api/stop").ConfigureAwait(false);
        var runtime = Node.HomeFolder.RuntimePath(context.Home);
        for (var i = 0; i < 50 && File.Exists(runtime); i++)
        {
            await Task.Delay(100).ConfigureAwait(false);
        }
        context.Out.WriteLine(File.Exists(runtime) ? "stop requested" : "stopped");
        return ExitCodes.Ok;
    }
}

internal sealed class StatusVerb : IVerb
{
    public string Name => "status";

    public string Arguments => "[--json]";

    public string Summary => "show the running node: device ID, name, ports, API address";

    public IReadOnlyCollection<string> FlagOptions => ["--json"];

    public async Task<int> RunAsync(CliContext context)
    {
        context.Args.ExpectPositional(0, 0);
        using var api = context.Api();
        var status = await api.GetAsync<NodeStatus>("api/status").ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(status);
            return ExitCodes.Ok;
        }
        context.Out.WriteLine($"name       {TerminalText.Safe(status.Name)}");
        context.Out.WriteLine($"device ID  {status.DeviceId}");
        context.Out.WriteLine($"peer port  {status.PeerPort}");
        context.Out.WriteLine($"API        {status.ApiUrl}");
        context.Out.WriteLine($"discovery  {(status.Discovery ? "on" : "off")}");
        return ExitCodes.Ok;
    }
}

internal sealed class InviteVerb : IVerb
{
    public string Name => "invite";

    public string Arguments => "[--json]";

    public string Summary => "print a one-line invite that another node can `parley add`";

    public IReadOnlyCollection<string> FlagOptions => ["--json"];

    public async Task<int> RunAsync(CliContext context)
    {
        context.Args.ExpectPositional(0, 0);
        using var api = context.Api();
        var invite = await api.GetAsync<InviteView>("api/invite").ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(invite);
        }
        else
        {
            context.Out.WriteLine(invite.Invite);
        }
        return ExitCodes.Ok;
    }
}
