using Parley.Node.Files;

namespace Parley.Cli.Verbs;

/// <summary>
/// <c>parley send PATH... --to PEER</c>: offers files and folders, then shows progress until the
/// receiver has verified everything (with --json, one event a line: <see cref="TransferEvent"/>).
/// </summary>
internal sealed class SendVerb : IVerb
{
    public string Name => "send";

    public string Arguments => "<path>... --to <peer> [--no-wait] [--json]";

    public string Summary => "send files and folders; waits (with progress) until the receiver has verified all";

    public IReadOnlyCollection<string> ValuedOptions => ["--to"];

    public IReadOnlyCollection<string> FlagOptions => ["--no-wait", "--json"];

    public async Task<int> RunAsync(CliContext context)
    {
        var to = context.Args.Value("--to") ?? throw new UsageException("--to <peer> is required");
        if (context.Args.Positional.Count == 0)
        {
            throw new UsageException("give at least one file or folder");
        }
        var paths = context.Args.Positional.Select(Path.GetFullPath).ToArray();
        using var api = context.Api();
        var sent = await api.PostAsync<SendResult>("api/transfers", new SendRequest(to, paths)).ConfigureAwait(false);
        foreach (var skipped in sent.Skipped)
        {
            context.Error.WriteLine($"skipped link: {TerminalText.Safe(skipped)}");
        }
        var transfer = sent.Transfer;
        var id = transfer.Id;
        if (context.Args.Has("--no-wait"))
        {
            if (context.Json)
            {
                context.WriteJson(transfer);
            }
            else
            {
                context.Out.WriteLine($"offered {TransferText.Summary(transfer)} as {transfer.ShortId}; see `parley transfers`");
            }
            return ExitCodes.Ok;
        }
        if (context.Json)
        {
            context.WriteJsonLine(new TransferEvent("offered", transfer) { Skipped = sent.Skipped });
        }
        else
        {
            context.Out.WriteLine($"offered {TransferText.Summary(transfer)} as {transfer.ShortId}; waiting for the receiver (Ctrl+C stops watching, not the transfer)");
        }
        var result = await TransferText.WatchAsync(context, api, id).ConfigureAwait(false);
        if (!context.Json && sent.Skipped.Count > 0)
        {
            // The summary says it again after the progress: links inside a folder are left out, never silently.
            context.Out.WriteLine($"skipped {sent.Skipped.Count} symbolic link(s), not followed (listed above)");
        }
        return result;
    }
}
