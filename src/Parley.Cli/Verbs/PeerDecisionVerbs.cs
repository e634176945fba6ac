using Parley.Node.Contacts;

namespace Parley.Cli.Verbs;

/// <summary>accept, deny and block: one peer argument, one API call.</summary>
internal abstract class PeerDecisionVerb(string name, string summary, string done) : IVerb
{
    public string Name => name;

    public string Arguments => "<peer>";

    public string Summary => summary;

    public async Task<int> RunAsync(CliContext context)
    {
        context.Args.ExpectPositional(1, 1);
        using var api = context.Api();
        var peer = await api.PostAsync<PeerView>($"api/peers/{ApiClient.Segment(context.Args.Positional[0])}/{name}").ConfigureAwait(false);
        context.Out.WriteLine($"{done} {PeerText.Describe(peer)}");
        return ExitCodes.Ok;
    }
}

internal sealed class AcceptVerb() : PeerDecisionVerb("accept", "accept a device's request: it becomes a contact", "accepted");

internal sealed class DenyVerb() : PeerDecisionVerb("deny", "deny a device's request", "denied");

internal sealed class BlockVerb() : PeerDecisionVerb("block", "refuse a device, now and from now on", "blocked");
