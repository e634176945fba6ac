using System.Text.Json;
using Parley.Node.Events;
using Parley.Node.Files;

namespace Parley.Cli.Verbs;

/// <summary><c>parley send PATH... --to PEER</c>: offers files and folders, then shows progress until the receiver has verified everything.</summary>
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
        var json = await api.PostAsync("api/transfers", new SendRequest(to, paths)).ConfigureAwait(false);
        var sent = json.Deserialize<SendResult>(EventHub.Json)!;
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
                context.WriteJson(json.GetProperty("transfer"));
            }
            else
            {
                context.Out.WriteLine($"offered {TransferText.Summary(transfer)} as {id[..8]}; see `parley transfers`");
            }
            return ExitCodes.Ok;
        }
        context.Out.WriteLine($"offered {TransferText.Summary(transfer)} as {id[..8]}; waiting for the receiver (Ctrl+C stops watching, not the transfer)");
        return await TransferText.WatchAsync(context, api, id).ConfigureAwait(false);
    }
}

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
        var json = await api.GetAsync("api/offers").ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(json);
            return ExitCodes.Ok;
        }
        var offers = json.Deserialize<List<TransferDetail>>(EventHub.Json)!;
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
        var transfer = (await api.PostAsync($"api/offers/{ApiClient.Segment(context.Args.Positional[0])}/accept", new AcceptOfferRequest(folder)).ConfigureAwait(false))
            .Deserialize<TransferInfo>(EventHub.Json)!;
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
        var transfer = (await api.PostAsync($"api/offers/{ApiClient.Segment(context.Args.Positional[0])}/reject").ConfigureAwait(false)).Deserialize<TransferInfo>(EventHub.Json)!;
        context.Out.WriteLine($"rejected {TransferText.Summary(transfer)}");
        return ExitCodes.Ok;
    }
}

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
        var json = await api.GetAsync("api/transfers").ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(json);
            return ExitCodes.Ok;
        }
        var transfers = json.Deserialize<List<TransferInfo>>(EventHub.Json)!;
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
        var transfer = (await api.PostAsync($"api/transfers/{ApiClient.Segment(context.Args.Positional[0])}/cancel").ConfigureAwait(false)).Deserialize<TransferInfo>(EventHub.Json)!;
        context.Out.WriteLine($"cancelled {TransferText.Summary(transfer)}");
        return ExitCodes.Ok;
    }
}

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
        await api.PostAsync($"api/peers/{ApiClient.Segment(context.Args.Positional[0])}/auto-accept", new AutoAcceptRequest(enabled)).ConfigureAwait(false);
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
            ? await api.GetAsync("api/settings").ConfigureAwait(false)
            : await api.PostAsync("api/settings", new { downloadFolder = Path.GetFullPath(folder) }).ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(settings);
        }
        else
        {
            context.Out.WriteLine($"download folder  {TerminalText.Safe(settings.GetProperty("downloadFolder").GetString())}");
        }
        return ExitCodes.Ok;
    }
}
