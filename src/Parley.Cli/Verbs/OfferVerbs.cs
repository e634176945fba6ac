using Parley.Node.Files;

namespace Parley.Cli.Verbs;

internal sealed class OffersVerb : IVerb
{
    public string Name => "offers";

    public string Arguments => "[--json]";

    public string Summary => "list incoming offers waiting for accept-offer or reject-offer";

    public IReadOnlyCollection<string> FlagOptions => ["--json"];

    public async Task<int> RunAsync(CliContext context)
    {
        context.Args.ExpectPositional(0, 0);
        using var api = context.Api();
        var offers = await api.GetAsync<List<TransferDetail>>("api/offers").ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(offers);
            return ExitCodes.Ok;
        }
        if (offers.Count == 0)
        {
            context.Out.WriteLine("(no offers)");
        }
        foreach (var (transfer, files) in offers)
        {
            context.Out.WriteLine($"{transfer.ShortId}  from {TerminalText.Safe(transfer.PeerName)}: {TransferText.Summary(transfer)}");
            foreach (var file in files)
            {
                context.Out.WriteLine($"    {TerminalText.Safe(file.Path)}  {TransferText.Bytes(file.Size)}");
            }
            if (transfer.FileCount > files.Count)
            {
                context.Out.WriteLine($"    … and {transfer.FileCount - files.Count} more");
            }
        }
        return ExitCodes.Ok;
    }
}

internal sealed class AcceptOfferVerb : IVerb
{
    public string Name => "accept-offer";

    public string Arguments => "<id> [--to DIR] [--wait]";

    public string Summary => "accept an incoming offer (into DIR, else the download folder)";

    public IReadOnlyCollection<string> ValuedOptions => ["--to"];

    public IReadOnlyCollection<string> FlagOptions => ["--wait"];

    public async Task<int> RunAsync(CliContext context)
    {
        context.Args.ExpectPositional(1, 1);
        var folder = context.Args.Value("--to") is { } to ? Path.GetFullPath(to) : null;
        using var api = context.Api();
        var transfer = await api.PostAsync<TransferInfo>($"api/offers/{ApiClient.Segment(context.Args.Positional[0])}/accept", new AcceptOfferRequest(folder)).ConfigureAwait(false);
        context.Out.WriteLine($"accepted {TransferText.Summary(transfer)} into {TerminalText.Safe(transfer.Folder)}");
        return context.Args.Has("--wait")
            ? await TransferText.WatchAsync(context, api, transfer.Id).ConfigureAwait(false)
            : ExitCodes.Ok;
    }
}

internal sealed class RejectOfferVerb : IVerb
{
    public string Name => "reject-offer";

    public string Arguments => "<id>";

    public string Summary => "reject an incoming offer (nothing is written)";

    public async Task<int> RunAsync(CliContext context)
    {
        context.Args.ExpectPositional(1, 1);
        using var api = context.Api();
        var transfer = await api.PostAsync<TransferInfo>($"api/offers/{ApiClient.Segment(context.Args.Positional[0])}/reject").ConfigureAwait(false);
        context.Out.WriteLine($"rejected {TransferText.Summary(transfer)}");
        return ExitCodes.Ok;
    }
}
