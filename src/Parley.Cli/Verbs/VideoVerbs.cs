using System.Globalization;
using Parley.Node.Videos;

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
        var library = await api.GetAsync<PeerVideoLibrary>($"api/peers/{ApiClient.Segment(words[0])}/videos").ConfigureAwait(false);
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

    private static async Task<VideoSharingStatus> ChangeSharingAsync(ApiClient api, IReadOnlyList<string> words)
    {
        string? Argument(string usage) => words.Count == 2 ? words[1] : throw new UsageException(usage);
        return words.Count == 0 ? await api.GetAsync<VideoSharingStatus>("api/videos").ConfigureAwait(false) : words[0] switch
        {
            "share" => await api.PostAsync<VideoSharingStatus>("api/videos/share", new ShareRequest(Path.GetFullPath(Argument("videos share <dir>")!))).ConfigureAwait(false),
            "unshare" when words.Count == 1 => await api.PostAsync<VideoSharingStatus>("api/videos/unshare").ConfigureAwait(false),
            "allow" => await api.PostAsync<VideoSharingStatus>("api/videos/access", new VideoAccessRequest(Argument("videos allow <peer|all>"), Allowed: true)).ConfigureAwait(false),
            "deny" => await api.PostAsync<VideoSharingStatus>("api/videos/access", new VideoAccessRequest(Argument("videos deny <peer|all>"), Allowed: false)).ConfigureAwait(false),
            _ => throw new UsageException("videos unshare takes no argument"),
        };
    }

    private static void WriteStatus(CliContext context, VideoSharingStatus status)
    {
        if (status.Folder is not { } folder)
        {
            context.Out.WriteLine("not sharing videos (parley videos share <dir>)");
            return;
        }
        context.Out.WriteLine($"sharing {TerminalText.Safe(folder)}: {status.Titles} title(s), {status.Unreadable} unreadable file(s)");
        context.Out.WriteLine(status.Everyone ? "every contact may watch, except those denied" : "only contacts you allowed may watch");
        foreach (var (peer, allowed) in status.Rules)
        {
            context.Out.WriteLine($"  {(allowed ? "allowed" : "denied ")}  {peer}");
        }
        context.Out.WriteLine($"served {TransferText.Bytes(status.BytesServed)} since start");
    }

    private static void WriteLibrary(CliContext context, PeerVideoLibrary library)
    {
        if (library.Titles.Count == 0)
        {
            context.Out.WriteLine("(no videos)");
        }
        // Columns as wide as the longest title (up to a limit, past which a title is cut with an ellipsis).
        var titleWidth = Math.Clamp(library.Titles.Select(t => TerminalText.Safe(t.Title).Length).DefaultIfEmpty(0).Max(), 5, MaxTitleColumn);
        foreach (var title in library.Titles)
        {
            var first = true;
            foreach (var v in title.Variants)
            {
                var name = first ? Fit(TerminalText.Safe(title.Title), titleWidth) : "";
                first = false;
                var codecs = v.VideoCodec + (v.AudioCodec is { } audio ? "/" + audio : "");
                var notes = (v.Rotation != 0 ? $"  rotated {v.Rotation}°" : "") + (v.Complete ? "" : "  incomplete (plays its first part)");
                context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name.PadRight(titleWidth)} {v.Label,6}  {$"{v.Width}x{v.Height}",-9} {Duration(v),8}  {v.Container,-8} {TerminalText.Safe(codecs),-12} {TransferText.Bytes(v.Size),10}  {TerminalText.Safe(v.File)}{notes}"));
            }
        }
        if (library.Unreadable.Count > 0)
        {
            context.Out.WriteLine("unreadable:");
            foreach (var file in library.Unreadable)
            {
                context.Out.WriteLine($"  {TerminalText.Safe(file.File)}  {TransferText.Bytes(file.Size)}  {TerminalText.Safe(file.Error)}");
            }
        }
        if (library.Truncated)
        {
            context.Out.WriteLine("(the library is bigger than one list; only part is shown)");
        }
    }

    private const int MaxTitleColumn = 40;

    private static string Fit(string text, int width) => text.Length <= width ? text : text[..(width - 1)] + "…";

    /// <summary>Rounded to the tenth (9.96 s is 0:00:10.0, not 0:00:09.9).</summary>
    private static string Duration(PeerVideo variant) =>
        variant.Duration is { } seconds ? TimeSpan.FromSeconds(Math.Round(seconds, 1)).ToString(@"h\:mm\:ss\.f", CultureInfo.InvariantCulture) : "?";
}

/// <summary><c>parley play PEER TITLE [--res 480p]</c> prints a local URL for mpv, VLC or ffplay; <c>parley play --stop</c> ends them all.</summary>
internal sealed class PlayVerb : IVerb
{
    public string Name => "play";

    public string Arguments => "<peer> <title> [--res 480p] [--variant mkv|mp4|webm|<codec>|<file>] [--json] | --stop";

    public string Summary => "print a local URL that plays a contact's video in mpv, VLC or ffplay (--stop ends such URLs)";

    public IReadOnlyCollection<string> ValuedOptions => ["--res", "--variant"];

    public IReadOnlyCollection<string> FlagOptions => ["--stop", "--json"];

    public async Task<int> RunAsync(CliContext context)
    {
        using var api = context.Api();
        if (context.Args.Has("--stop"))
        {
            context.Args.ExpectPositional(0, 0);
            var stopped = await api.DeleteAsync<PlayLinksStopped>("api/play").ConfigureAwait(false);
            context.Out.WriteLine($"stopped {stopped.Stopped} play link(s)");
            return ExitCodes.Ok;
        }
        context.Args.ExpectPositional(2, 2);
        var link = await api.PostAsync<PlayLinkCreated>("api/play", new PlayRequest(context.Args.Positional[0], context.Args.Positional[1], context.Args.Value("--res"), context.Args.Value("--variant")))
            .ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(link);
            return ExitCodes.Ok;
        }
        // The URL alone on standard output, so `mpv "$(parley play bob dog)"` works; the rest goes to standard error.
        context.Out.WriteLine(link.Url);
        context.Error.WriteLine($"{TerminalText.Safe(link.File)} ({link.Label}): open within 2 minutes; `parley play --stop` ends it");
        return ExitCodes.Ok;
    }
}
