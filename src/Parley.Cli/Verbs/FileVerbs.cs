using System.Text.Json;

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
        var sent = await api.PostAsync("api/transfers", new { to, paths }).ConfigureAwait(false);
        var transfer = sent.GetProperty("transfer");
        foreach (var skipped in sent.GetProperty("skipped").EnumerateArray())
        {
            context.Error.WriteLine($"skipped link: {TerminalText.Safe(skipped.GetString())}");
        }
        var id = transfer.GetProperty("id").GetString()!;
        if (context.Args.Has("--no-wait"))
        {
            if (context.Json)
            {
                context.WriteJson(transfer);
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
        var offers = await api.GetAsync("api/offers").ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(offers);
            return ExitCodes.Ok;
        }
        if (offers.GetArrayLength() == 0)
        {
            context.Out.WriteLine("(no offers)");
        }
        foreach (var offer in offers.EnumerateArray())
        {
            var transfer = offer.GetProperty("transfer");
            context.Out.WriteLine($"{transfer.GetProperty("shortId").GetString()}  from {TerminalText.Safe(transfer.GetProperty("peerName").GetString())}: {TransferText.Summary(transfer)}");
            foreach (var file in offer.GetProperty("files").EnumerateArray())
            {
                context.Out.WriteLine($"    {TerminalText.Safe(file.GetProperty("path").GetString())}  {TransferText.Bytes(file.GetProperty("size").GetInt64())}");
            }
            var count = transfer.GetProperty("fileCount").GetInt32();
            if (count > offer.GetProperty("files").GetArrayLength())
            {
                context.Out.WriteLine($"    … and {count - offer.GetProperty("files").GetArrayLength()} more");
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
        var transfer = await api.PostAsync($"api/offers/{ApiClient.Segment(context.Args.Positional[0])}/accept", new { folder }).ConfigureAwait(false);
        context.Out.WriteLine($"accepted {TransferText.Summary(transfer)} into {TerminalText.Safe(transfer.GetProperty("folder").GetString())}");
        return context.Args.Has("--wait")
            ? await TransferText.WatchAsync(context, api, transfer.GetProperty("id").GetString()!).ConfigureAwait(false)
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
        var transfer = await api.PostAsync($"api/offers/{ApiClient.Segment(context.Args.Positional[0])}/reject").ConfigureAwait(false);
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
        var transfers = await api.GetAsync("api/transfers").ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(transfers);
            return ExitCodes.Ok;
        }
        if (transfers.GetArrayLength() == 0)
        {
            context.Out.WriteLine("(no transfers)");
        }
        foreach (var t in transfers.EnumerateArray())
        {
            var arrow = t.GetProperty("direction").GetString() == "outgoing" ? "to  " : "from";
            var error = t.GetProperty("error").GetString();
            context.Out.WriteLine($"{t.GetProperty("shortId").GetString()}  {arrow} {TerminalText.Safe(t.GetProperty("peerName").GetString()),-12} {t.GetProperty("state").GetString(),-9} "
                + $"{TransferText.Bytes(t.GetProperty("bytesDone").GetInt64())}/{TransferText.Bytes(t.GetProperty("totalBytes").GetInt64())} "
                + $"{t.GetProperty("filesDone").GetInt32()}/{t.GetProperty("fileCount").GetInt32()} files{(error is null ? "" : "  " + TerminalText.Safe(error))}");
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
        var transfer = await api.PostAsync($"api/transfers/{ApiClient.Segment(context.Args.Positional[0])}/cancel").ConfigureAwait(false);
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
        await api.PostAsync($"api/peers/{ApiClient.Segment(context.Args.Positional[0])}/auto-accept", new { enabled }).ConfigureAwait(false);
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
