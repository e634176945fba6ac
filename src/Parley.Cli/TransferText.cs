using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Parley.Node.Files;

namespace Parley.Cli;

/// <summary>How transfers read on a terminal: sizes, summaries and the live progress line.</summary>
internal static class TransferText
{
    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.00} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.0} MiB",
        >= 1L << 10 => $"{bytes / 1024.0:0.0} KiB",
        _ => $"{bytes} B",
    };

    public static string Summary(TransferInfo t) => $"{t.FileCount} file(s), {Bytes(t.TotalBytes)}";

    /// <summary>A state as the API spells it ("active", "completed").</summary>
    public static string StateName(TransferState state) => JsonNamingPolicy.CamelCase.ConvertName(state.ToString());

    /// <summary>
    /// Into a pipe or a file (`parley send … | cat`, a log), a progress line this often rather than
    /// one per redraw: the output stays a few lines long however long the transfer takes.
    /// </summary>
    public static readonly TimeSpan PipedLineEvery = TimeSpan.FromSeconds(5);

    /// <summary>With --json, a progress event this often (a program reading them wants them finer).</summary>
    public static readonly TimeSpan JsonEventEvery = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Polls the transfer until it ends and shows its progress: redrawn in place on a terminal; a
    /// line every <see cref="PipedLineEvery"/> otherwise; with --json, a <see cref="TransferEvent"/>
    /// a line ("progress", then the final state). Returns 0 when completed, 1 otherwise.
    /// </summary>
    public static async Task<int> WatchAsync(CliContext context, ApiClient api, string id)
    {
        var live = !context.Json && !Console.IsOutputRedirected && ReferenceEquals(context.Out, Console.Out);
        var every = context.Json ? JsonEventEvery : PipedLineEvery;
        var sinceShown = Stopwatch.StartNew();
        var shownOnce = false;
        using var wake = await TransferWake.StartAsync(api, id).ConfigureAwait(false);
        while (true)
        {
            var t = (await api.GetAsync<TransferDetail>($"api/transfers/{id}?files=0").ConfigureAwait(false)).Transfer;
            var final = t.State is TransferState.Completed or TransferState.Failed or TransferState.Cancelled or TransferState.Rejected;
            var due = final || !shownOnce || sinceShown.Elapsed >= every;
            if (live)
            {
                context.Out.Write("\r" + Progress(t) + "\u001b[K"); // redraw in place, clearing what the last line left
            }
            else if (due)
            {
                if (context.Json)
                {
                    context.WriteJsonLine(new TransferEvent(final ? StateName(t.State) : "progress", t));
                }
                else
                {
                    context.Out.WriteLine(Progress(t));
                }
                sinceShown.Restart();
                shownOnce = true;
            }
            if (final)
            {
                if (live)
                {
                    context.Out.WriteLine();
                }
                if (t.State != TransferState.Completed)
                {
                    context.Error.WriteLine($"{StateName(t.State)}: {TerminalText.Safe(t.Error)}");
                    return ExitCodes.Failure;
                }
                if (!context.Json)
                {
                    context.Out.WriteLine($"done: {Summary(t)} received and verified");
                }
                return ExitCodes.Ok;
            }
            await wake.WaitAsync(TimeSpan.FromMilliseconds(200)).ConfigureAwait(false);
        }
    }

    /// <summary>"[#####-----]  48.2%  1.20 GiB/2.50 GiB  310.5 MiB/s  ETA 4 s  sending  2 of 12 files  a/b.jpg 1.2/3.0 MiB".</summary>
    public static string Progress(TransferInfo t)
    {
        var fraction = t.TotalBytes == 0 ? (t.State == TransferState.Completed ? 1 : 0) : t.BytesDone / (double)t.TotalBytes;
        var filled = (int)Math.Round(fraction * 20);
        var line = string.Create(CultureInfo.InvariantCulture,
            $"[{new string('#', filled)}{new string('-', 20 - filled)}] {fraction * 100,5:0.0}%  {Bytes(t.BytesDone)}/{Bytes(t.TotalBytes)}  {Bytes((long)t.BytesPerSecond)}/s");
        line += t.EtaSeconds is { } eta ? $"  ETA {eta:0} s" : "";
        line += $"  {StateName(t.State)}";
        if (t.FileCount > 1)
        {
            // Many small files move fast and say little in bytes: count them too ("1,234 of 10,000 files").
            line += string.Create(CultureInfo.InvariantCulture, $"  {t.FilesDone:N0} of {t.FileCount:N0} files");
        }
        if (t.CurrentFile is { } file)
        {
            line += $"  {TerminalText.Safe(file.Path)} {Bytes(file.BytesDone)}/{Bytes(file.Size)}";
        }
        return line;
    }
}

/// <summary>One line of `parley send --json`: "offered", "progress", then the final state ("completed", "failed", …), with the transfer as it stands.</summary>
internal sealed record TransferEvent(string Event, TransferInfo Transfer)
{
    /// <summary>On "offered" only: the symbolic links the send left out (never followed).</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Skipped { get; init; }
}
