using Parley.Node.Contacts;

namespace Parley.Cli.Verbs;

internal sealed class SafetyVerb : IVerb
{
    public string Name => "safety";

    public string Arguments => "<peer> [--json]";

    public string Summary => "print the safety number to compare with the peer (in person or by voice)";

    public IReadOnlyCollection<string> FlagOptions => ["--json"];

    public async Task<int> RunAsync(CliContext context)
    {
        context.Args.ExpectPositional(1, 1);
        using var api = context.Api();
        var safety = await api.GetAsync<SafetyView>($"api/peers/{ApiClient.Segment(context.Args.Positional[0])}/safety").ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(safety);
            return ExitCodes.Ok;
        }
        context.Out.WriteLine(safety.SafetyNumber);
        context.Out.WriteLine("Both of you should see the same number. If not, the link is not who you think it is.");
        return ExitCodes.Ok;
    }
}
