using System.Globalization;
using System.Text.Json;

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

    public static string Summary(JsonElement t) =>
        $"{t.GetProperty("fileCount").GetInt32()} file(s), {Bytes(t.GetProperty("totalBytes").GetInt64())}";

    /// <summary>Polls the transfer and draws progress until it ends: 0 when completed, 1 otherwise.</summary>
    public static async Task<int> WatchAsync(CliContext context, ApiClient api, string id)
    {
        var live = !Console.IsOutputRedirected && ReferenceEquals(context.Out, Console.Out);
        var lastPrinted = DateTime.MinValue;
        while (true)
        {
            var t = (await api.GetAsync($"api/transfers/{id}?files=0").ConfigureAwait(false)).GetProperty("transfer");
            var state = t.GetProperty("state").GetString();
            var line = Progress(t);
            if (live)
            {
                context.Out.Write("\r" + line + "\u001b[K"); // redraw in place, clearing what the last line left
            }
            else if (DateTime.UtcNow - lastPrinted > TimeSpan.FromSeconds(1) || state is "completed" or "failed" or "cancelled" or "rejected")
            {
                context.Out.WriteLine(line);
                lastPrinted = DateTime.UtcNow;
            }
            switch (state)
            {
                case "completed":
                    context.Out.WriteLine((live ? "\n" : "") + $"done: {Summary(t)} received and verified");
                    return ExitCodes.Ok;
                case "failed" or "cancelled" or "rejected":
                    if (live)
                    {
                        context.Out.WriteLine();
                    }
                    context.Error.WriteLine($"{state}: {TerminalText.Safe(t.GetProperty("error").GetString())}");
                    return ExitCodes.Failure;
            }
            await Task.Delay(200).ConfigureAwait(false);
        }
    }

    /// <summary>"[#####-----]  48.2%  1.20 GiB/2.50 GiB  310.5 MiB/s  ETA 4 s  file 3/12 a/b.jpg 1.2/3.0 MiB".</summary>
    public static string Progress(JsonElement t)
    {
        var total = t.GetProperty("totalBytes").GetInt64();
        var done = t.GetProperty("bytesDone").GetInt64();
        var fraction = total == 0 ? (t.GetProperty("state").GetString() == "completed" ? 1 : 0) : done / (double)total;
        var filled = (int)Math.Round(fraction * 20);
        var rate = t.GetProperty("bytesPerSecond").GetDouble();
        var eta = t.GetProperty("etaSeconds");
        var line = string.Create(CultureInfo.InvariantCulture,
            $"[{new string('#', filled)}{new string('-', 20 - filled)}] {fraction * 100,5:0.0}%  {Bytes(done)}/{Bytes(total)}  {Bytes((long)rate)}/s");
        line += eta.ValueKind == JsonValueKind.Number ? $"  ETA {eta.GetDouble():0} s" : "";
        line += $"  {t.GetProperty("state").GetString()}";
        if (t.GetProperty("currentFile") is { ValueKind: JsonValueKind.Object } file)
        {
            line += $"  file {file.GetProperty("index").GetInt32() + 1}/{t.GetProperty("fileCount").GetInt32()} {TerminalText.Safe(file.GetProperty("path").GetString())}"
                + $" {Bytes(file.GetProperty("bytesDone").GetInt64())}/{Bytes(file.GetProperty("size").GetInt64())}";
        }
        return line;
    }
}
