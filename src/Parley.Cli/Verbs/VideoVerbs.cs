using System.Globalization;
using System.Text.Json;

namespace Parley.Cli.Verbs;

/// <summary>
/// <c>parley videos</c>: this node's sharing (share DIR, unshare, allow/deny a contact or all), or
/// <c>parley videos PEER</c>: a contact's library, with each title's variants as their headers describe them.
/// </summary>
internal sealed class VideosVerb : IVerb
{
    private static readonly string[] Actions = ["share", "unshare", "allow", "deny"];

    public string Name => "videos";

    public string Arguments => "[<peer> | share <dir> | unshare | allow <peer|all> | deny <peer|all>] [--json]";

    public string Summary => "list a contact's videos, or share a folder of yours (and choose who may watch)";

    public IReadOnlyCollection<string> FlagOptions => ["--json"];

    public async Task<int> RunAsync(CliContext context)
    {
        context.Args.ExpectPositional(0, 2);
        var words = context.Args.Positional;
        using var api = context.Api();
        if (words.Count == 0 || Actions.Contains(words[0]))
        {
            var status = await ChangeSharingAsync(api, words).ConfigureAwait(false);
            if (context.Json)
            {
                context.WriteJson(status);
            }
            else
            {
                WriteStatus(context, status);
            }
            return ExitCodes.Ok;
        }
        context.Args.ExpectPositional(1, 1);
        var library = await api.GetAsync($"api/peers/{ApiClient.Segment(words[0])}/videos").ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(library);
        }
        else
        {
            WriteLibrary(context, library);
        }
        return ExitCodes.Ok;
    }

    private static async Task<JsonElement> ChangeSharingAsync(ApiClient api, IReadOnlyList<string> words)
    {
        string? Argument(string usage) => words.Count == 2 ? words[1] : throw new UsageException(usage);
        return words.Count == 0 ? await api.GetAsync("api/videos").ConfigureAwait(false) : words[0] switch
        {
            "share" => await api.PostAsync("api/videos/share", new { folder = Path.GetFullPath(Argument("videos share <dir>")!) }).ConfigureAwait(false),
            "unshare" when words.Count == 1 => await api.PostAsync("api/videos/unshare").ConfigureAwait(false),
            "allow" => await api.PostAsync("api/videos/access", new { peer = Argument("videos allow <peer|all>"), allowed = true }).ConfigureAwait(false),
            "deny" => await api.PostAsync("api/videos/access", new { peer = Argument("videos deny <peer|all>"), allowed = false }).ConfigureAwait(false),
            _ => throw new UsageException("videos unshare takes no argument"),
        };
    }

    private static void WriteStatus(CliContext context, JsonElement status)
    {
        if (status.GetProperty("folder").GetString() is not { } folder)
        {
            context.Out.WriteLine("not sharing videos (parley videos share <dir>)");
            return;
        }
        var everyone = status.GetProperty("everyone").GetBoolean();
        context.Out.WriteLine($"sharing {TerminalText.Safe(folder)}: {status.GetProperty("titles").GetInt32()} title(s), {status.GetProperty("unreadable").GetInt32()} unreadable file(s)");
        context.Out.WriteLine(everyone ? "every contact may watch, except those denied" : "only contacts you allowed may watch");
        foreach (var rule in status.GetProperty("rules").EnumerateObject())
        {
            context.Out.WriteLine($"  {(rule.Value.GetBoolean() ? "allowed" : "denied ")}  {rule.Name}");
        }
        context.Out.WriteLine($"served {TransferText.Bytes(status.GetProperty("bytesServed").GetInt64())} since start");
    }

    private static void WriteLibrary(CliContext context, JsonElement library)
    {
        var titles = library.GetProperty("titles");
        if (titles.GetArrayLength() == 0)
        {
            context.Out.WriteLine("(no videos)");
        }
        foreach (var title in titles.EnumerateArray())
        {
            var first = true;
            foreach (var v in title.GetProperty("variants").EnumerateArray())
            {
                var name = first ? TerminalText.Safe(title.GetProperty("title").GetString()) : "";
                first = false;
                var codecs = v.GetProperty("videoCodec").GetString() + (v.GetProperty("audioCodec").GetString() is { } audio ? "/" + audio : "");
                context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name,-24} {v.GetProperty("label").GetString(),6}  {v.GetProperty("width").GetInt32()}x{v.GetProperty("height").GetInt32(),-5} {Duration(v),8}  {v.GetProperty("container").GetString(),-8} {TerminalText.Safe(codecs),-12} {TransferText.Bytes(v.GetProperty("size").GetInt64()),10}  {TerminalText.Safe(v.GetProperty("file").GetString())}"));
            }
        }
        var unreadable = library.GetProperty("unreadable");
        if (unreadable.GetArrayLength() > 0)
        {
            context.Out.WriteLine("unreadable:");
            foreach (var file in unreadable.EnumerateArray())
            {
                context.Out.WriteLine($"  {TerminalText.Safe(file.GetProperty("file").GetString())}  {TransferText.Bytes(file.GetProperty("size").GetInt64())}  {TerminalText.Safe(file.GetProperty("error").GetString())}");
            }
        }
        if (library.GetProperty("truncated").GetBoolean())
        {
            context.Out.WriteLine("(the library is bigger than one list; only part is shown)");
        }
    }

    private static string Duration(JsonElement variant) =>
        variant.GetProperty("duration").ValueKind == JsonValueKind.Number
            ? TimeSpan.FromSeconds(variant.GetProperty("duration").GetDouble()).ToString(@"h\:mm\:ss\.f", CultureInfo.InvariantCulture)
            : "?";
}

/// <summary><c>parley play PEER TITLE [--res 480p]</c> prints a local URL for mpv, VLC or ffplay; <c>parley play --stop</c> ends them all.</summary>
internal sealed class PlayVerb : IVerb
{
    public string Name => "play";

    public string Arguments => "<peer> <title> [--res 480p] [--json] | --stop";

    public string Summary => "print a local URL that plays a contact's video in mpv, VLC or ffplay (--stop ends such URLs)";

    public IReadOnlyCollection<string> ValuedOptions => ["--res"];

    public IReadOnlyCollection<string> FlagOptions => ["--stop", "--json"];

    public async Task<int> RunAsync(CliContext context)
    {
        using var api = context.Api();
        if (context.Args.Has("--stop"))
        {
            context.Args.ExpectPositional(0, 0);
            var stopped = await api.DeleteAsync("api/play").ConfigureAwait(false);
            context.Out.WriteLine($"stopped {stopped.GetProperty("stopped").GetInt32()} play link(s)");
            return ExitCodes.Ok;
        }
        context.Args.ExpectPositional(2, 2);
        var play = await api.PostAsync("api/play", new { peer = context.Args.Positional[0], title = context.Args.Positional[1], res = context.Args.Value("--res") })
            .ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(play);
            return ExitCodes.Ok;
        }
        // The URL alone on standard output, so `mpv "$(parley play bob dog)"` works; the rest goes to standard error.
        context.Out.WriteLine(play.GetProperty("url").GetString());
        context.Error.WriteLine($"{TerminalText.Safe(play.GetProperty("file").GetString())} ({play.GetProperty("label").GetString()}): open within 2 minutes; `parley play --stop` ends it");
        return ExitCodes.Ok;
    }
}
