using System.Text.Json;
using Parley.Hub;

namespace Parley.Cli.Verbs;

/// <summary><c>parley hub status</c>: a single hub's port and invite, or a cluster's hubs, members per hub, NATS and its streams, read from NATS.</summary>
internal static class HubStatusText
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    public static async Task<int> PrintAsync(CliContext context, JsonElement runtime)
    {
        if (!runtime.TryGetProperty("cluster", out var servers) || servers.ValueKind != JsonValueKind.Array)
        {
            return PrintSingle(context, runtime);
        }
        ClusterReport report;
        try
        {
            var configFile = runtime.TryGetProperty("clusterConfig", out var c) ? c.GetString() : null;
            var options = new HubClusterOptions
            {
                Servers = [.. servers.EnumerateArray().Select(s => s.GetString() ?? "")],
                IdentityFile = "",
                Config = configFile is null ? null : HubClusterConfig.Load(configFile),
            };
            using var timeout = new CancellationTokenSource(Patience);
            report = await ClusterStatus.ReadAsync(options, TimeProvider.System, timeout.Token).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            throw new CliException(e.Message);
        }
        if (context.Json)
        {
            context.WriteJson(report);
            return ExitCodes.Ok;
        }
        var nats = report.Nats;
        context.Out.WriteLine($"NATS       {nats.Servers}: via {TerminalText.Safe(nats.ConnectedTo)} (nats-server {TerminalText.Safe(nats.Version)}), "
            + $"{nats.ClusterServers} server{(nats.ClusterServers == 1 ? "" : "s")} in its cluster, JetStream {(nats.JetStream ? "on" : "OFF")}");
        context.Out.WriteLine($"hubs       {report.Hubs.Count} live, {report.Hubs.Sum(h => h.Members)} members online");
        foreach (var hub in report.Hubs)
        {
            context.Out.WriteLine($"  {hub.Instance}  {hub.Members,6} members  heard {hub.HeardSecondsAgo,4:0.0} s ago  {string.Join(' ', hub.Addresses.Take(3))}");
        }
        context.Out.WriteLine("streams    (replicas current / wanted)");
        foreach (var stream in report.Streams)
        {
            context.Out.WriteLine($"  {TerminalText.Safe(stream.Name),-22} {stream.Current}/{stream.Replicas}{(stream.Healthy ? "" : "  DEGRADED"),-10} "
                + $"leader {TerminalText.Safe(stream.Leader ?? "-"),-8} {stream.Messages,8} msgs {stream.Bytes / 1024.0,10:0.0} KiB"
                + (stream.MaxBytes > 0 ? $" of {stream.MaxBytes >> 20} MiB" : ""));
        }
        return report.Streams.All(s => s.Healthy) ? ExitCodes.Ok : ExitCodes.Failure;
    }

    private static int PrintSingle(CliContext context, JsonElement runtime)
    {
        var port = runtime.TryGetProperty("port", out var p) ? p.GetInt32() : 0;
        var invite = runtime.TryGetProperty("invite", out var i) ? i.GetString() : null;
        if (context.Json)
        {
            context.WriteJson(new { cluster = false, port, invite });
            return ExitCodes.Ok;
        }
        context.Out.WriteLine($"a single hub (its state in hub.db under {context.Home}), port {port}");
        context.Out.WriteLine($"invite     {invite}");
        return ExitCodes.Ok;
    }
}
