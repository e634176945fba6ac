using Parley.Node.Contacts;

namespace Parley.Cli.Verbs;

internal sealed class RenameVerb : IVerb
{
    public string Name => "rename";

    public string Arguments => "<peer> <new-name>";

    public string Summary => "give a contact your own name for it";

    public async Task<int> RunAsync(CliContext context)
    {
        context.Args.ExpectPositional(2, 2);
        using var api = context.Api();
        var peer = await api.PostAsync<PeerView>($"api/peers/{ApiClient.Segment(context.Args.Positional[0])}/rename",
            new RenameRequest(context.Args.Positional[1])).ConfigureAwait(false);
        context.Out.WriteLine($"renamed {PeerText.Describe(peer)}");
        return ExitCodes.Ok;
    }
}
