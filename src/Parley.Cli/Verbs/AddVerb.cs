using Parley.Node.Contacts;

namespace Parley.Cli.Verbs;

internal sealed class AddVerb : IVerb
{
    public string Name => "add";

    public string Arguments => "<device-id|invite> [host:port]";

    public string Summary => "make a device a contact (it must accept you too before you can chat)";

    public IReadOnlyCollection<string> FlagOptions => ["--json"];

    public async Task<int> RunAsync(CliContext context)
    {
        context.Args.ExpectPositional(1, 2);
        var address = context.Args.Positional.Count > 1 ? context.Args.Positional[1] : null;
        using var api = context.Api();
        var peer = await api.PostAsync<PeerView>("api/contacts", new AddRequest(context.Args.Positional[0], address)).ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(peer);
        }
        else
        {
            context.Out.WriteLine($"added {PeerText.Describe(peer)}; it will be linked when reachable and once it accepts you");
        }
        return ExitCodes.Ok;
    }
}
