using Parley.Node.Files;

namespace Parley.Cli.Verbs;

internal sealed class TransfersVerb : IVerb
{
    public string Name => "transfers";

    public string Arguments => "[--json]";

    public string Summary => "list active and finished transfers with their state";

    public IReadOnlyCollection<string> FlagOptions => ["--json"];

    public async Task<int> RunAsync(CliContext context)
    {
        context.Args.ExpectPositional(0, 0);
        using var api = context.Api();
        var transfers = await api.GetAsync<List<TransferInfo>>("api/transfers").ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(transfers);
            return ExitCodes.Ok;
        }
        if (transfers.Count == 0)
        {
            context.Out.WriteLine("(no transfers)");
        }
        foreach (var t in transfers)
        {
            var arrow = t.Direction == TransferDirection.Outgoing ? "to  " : "from";
            context.Out.WriteLine($"{t.ShortId}  {arrow} {TerminalText.Safe(t.PeerName),-12} {TransferText.StateName(t.State),-9} "
                + $"{TransferText.Bytes(t.BytesDone)}/{TransferText.Bytes(t.TotalBytes)} "
                + $"{t.FilesDone}/{t.FileCount} files{(t.Error is null ? "" : "  " + TerminalText.Safe(t.Error))}");
        }
        return ExitCodes.Ok;
    }
}

internal sealed class CancelVerb : IVerb
{
    public string Name => "cancel";

    public string Arguments => "<id>";

    public string Summary => "stop a transfer (either side); partial files are removed";

    public async Task<int> RunAsync(CliContext context)
    {
        context.Args.ExpectPositional(1, 1);
        using var api = context.Api();
        var transfer = await api.PostAsync<TransferInfo>($"api/transfers/{ApiClient.Segment(context.Args.Positional[0])}/cancel").ConfigureAwait(false);
        context.Out.WriteLine($"cancelled {TransferText.Summary(transfer)}");
        return ExitCodes.Ok;
    }
}
