using System.Net;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Hub;
using Parley.Node.Hub;

namespace Parley.Cli.Verbs;

/// <summary>
/// <c>parley hub</c> runs a hub in the foreground; <c>parley hub invite</c> prints the invite of the hub of this home,
/// <c>parley hub status</c> its cluster (hubs, members per hub, NATS and its streams' replicas).
/// </summary>
internal sealed class HubVerb : IVerb
{
    private const string RuntimeFile = "hub.json";

    public string Name => "hub";

    public string Arguments => "[invite|status [--json]] [--port N] [--room-log on|off] [--no-udp-relay] [--relay-private] [--public-address IP] [--attachment-quota MiB] [--room-log-total MiB] [--room-call-video N] [--cluster nats://host:port[,...] | --cluster-config FILE] [--identity FILE] [--log-protocol]";

    public string Summary => "run a hub (presence, directory) for nodes across networks; `hub invite` prints its invite, `hub status` its cluster";

    public IReadOnlyCollection<string> ValuedOptions => ["--port", "--room-log", "--public-address", "--cluster", "--cluster-config", "--identity", "--attachment-quota", "--room-log-total", "--room-call-video"];

    public IReadOnlyCollection<string> FlagOptions => ["--log-protocol", "--no-udp-relay", "--relay-private", "--json"];

    public async Task<int> RunAsync(CliContext context)
    {
        context.Args.ExpectPositional(0, 1);
        if (context.Args.Positional.Count == 1)
        {
            return context.Args.Positional[0] switch
            {
                "invite" => PrintInvite(context),
                "status" => await HubStatusText.PrintAsync(context, ReadRuntime(context)).ConfigureAwait(false),
                var other => throw new UsageException($"unknown hub command '{TerminalText.Safe(other)}'"),
            };
        }
        using var loggerFactory = LoggerFactory.Create(logging => logging
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            })
            .SetMinimumLevel(LogLevel.Information));
        // Off: rooms keep no log (messages reach only members online then), to compare with how rooms were before it.
        var roomLog = context.Args.Value("--room-log") switch
        {
            null or "on" => true,
            "off" => false,
            var other => throw new UsageException($"--room-log is on or off, not '{TerminalText.Safe(other)}'"),
        };
        // Behind 1:1 NAT the hub cannot see the address the internet reaches it at: the operator names it.
        var published = context.Args.Value("--public-address") is { } text
            ? (IPAddress.TryParse(text, out var parsed) && parsed.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
                ? parsed : throw new UsageException($"--public-address is an IPv4 address, not '{TerminalText.Safe(text)}'"))
            : null;
        // Attachment bytes each member may keep at the hub (its blob store).
        var quota = context.Args.Value("--attachment-quota") is { } mib
            ? (long.TryParse(mib, out var m) && m > 0 ? m << 20 : throw new UsageException($"--attachment-quota is a number of MiB, not '{TerminalText.Safe(mib)}'"))
            : new HubOptions { Home = context.Home }.BlobMaxBytesPerMember;
        // In a cluster: the most bytes of room messages and keys NATS keeps for all rooms together.
        var roomLogTotal = context.Args.Value("--room-log-total") is { } total
            ? (long.TryParse(total, out var t) && t > 0 ? t << 20 : throw new UsageException($"--room-log-total is a number of MiB, not '{TerminalText.Safe(total)}'"))
            : new HubOptions { Home = context.Home }.RoomLogMaxTotalBytes;
        // Most participants with video in one room call (the next is told to join with audio only).
        var callVideo = context.Args.Value("--room-call-video") is { } most
            ? (int.TryParse(most, out var n) && n > 0 ? n : throw new UsageException($"--room-call-video is a number of participants, not '{TerminalText.Safe(most)}'"))
            : new HubOptions { Home = context.Home }.RoomCallVideoParticipants;
        var cluster = ClusterOptions(context);
        // For `hub status`; the file is the owner's alone (0600), as the identity file is, since a URL may carry credentials.
        var clusterServers = cluster?.Servers;
        HubServer hub;
        try
        {
            hub = await HubServer.StartAsync(new HubOptions
            {
                Home = context.Home,
                Port = context.Args.Port("--port", HubOptions.DefaultPort),
                RoomLog = roomLog,
                UdpRelay = !context.Args.Has("--no-udp-relay"),
                UdpRelayPrivate = context.Args.Has("--relay-private"),
                PublicAddress = published,
                BlobMaxBytesPerMember = quota,
                RoomLogMaxTotalBytes = roomLogTotal,
                RoomCallVideoParticipants = callVideo,
                Cluster = cluster,
                Link = new LinkOptions { LogProtocol = context.Args.Has("--log-protocol") },
            }, loggerFactory).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            throw new CliException(e.Message);
        }
        await using (hub)
        {
            // The invite is kept current here for `hub invite`: in a cluster it changes as hubs come and go.
            void WriteRuntime() => NodeIdentity.WriteOwnerOnly(Path.Combine(context.Home, RuntimeFile),
                JsonSerializer.Serialize(new { port = hub.Port, publicAddress = published?.ToString(), invite = hub.CreateInvite().ToString(), cluster = clusterServers, clusterConfig = cluster?.ConfigFile }));
            var writing = new Lock();
            hub.InviteChanged += () =>
            {
                lock (writing)
                {
                    WriteRuntime();
                }
            };
            lock (writing)
            {
                WriteRuntime();
            }
            var stop = new TaskCompletionSource();
            using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, s => { s.Cancel = true; stop.TrySetResult(); });
            using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, s => { s.Cancel = true; stop.TrySetResult(); });
            context.Out.WriteLine("Parley hub");
            context.Out.WriteLine($"  device ID  {hub.DeviceId}");
            context.Out.WriteLine($"  port       {hub.Port}");
            if (cluster is not null)
            {
                context.Out.WriteLine($"  cluster    {HubClusterOptions.Describe(cluster.Servers)} ({hub.ClusterHubs} hubs live)");
            }
            context.Out.WriteLine($"  invite     {hub.CreateInvite()}");
            context.Out.WriteLine("ready");
            await context.Out.FlushAsync().ConfigureAwait(false);
            await stop.Task.ConfigureAwait(false);
            context.Out.WriteLine("shutting down");
        }
        return ExitCodes.Ok;
    }

    /// <summary><c>--cluster</c> and/or <c>--cluster-config</c> with <c>--identity</c>, or none of them (a single hub).</summary>
    private static HubClusterOptions? ClusterOptions(CliContext context)
    {
        var configPath = context.Args.Value("--cluster-config") is { } path ? Path.GetFullPath(path) : null;
        HubClusterConfig? config;
        try
        {
            config = configPath is null ? null : HubClusterConfig.Load(configPath);
        }
        catch (InvalidOperationException e)
        {
            throw new UsageException("--cluster-config: " + e.Message);
        }
        var servers = context.Args.Value("--cluster") ?? (config?.Servers is { Count: > 0 } listed ? string.Join(',', listed) : null);
        var identity = context.Args.Value("--identity");
        if (servers is null)
        {
            return identity is null && config is null ? null
                : throw new UsageException("--identity and --cluster-config go with NATS servers (--cluster, or \"servers\" in the config); a single hub keeps its identity in its home");
        }
        if (identity is null)
        {
            throw new UsageException("--cluster needs --identity FILE: the identity every hub of the cluster shares (created if missing)");
        }
        var urls = servers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (urls.Length == 0 || urls.Any(u => !Uri.TryCreate(u, UriKind.Absolute, out var uri) || uri.Scheme is not ("nats" or "tls") || uri.Port <= 0))
        {
            throw new UsageException($"--cluster takes nats://host:port[,...], not '{TerminalText.Safe(HubClusterOptions.Describe(urls))}'");
        }
        return new HubClusterOptions { Servers = urls, IdentityFile = Path.GetFullPath(identity), Config = config, ConfigFile = configPath };
    }

    /// <summary>What the hub of this home wrote when it started (and keeps current).</summary>
    private static JsonElement ReadRuntime(CliContext context)
    {
        var runtime = Path.Combine(context.Home, RuntimeFile);
        if (!File.Exists(runtime))
        {
            throw new CliException($"no hub has run with home {context.Home} (start one with: parley --home DIR hub)");
        }
        return JsonDocument.Parse(File.ReadAllText(runtime)).RootElement;
    }

    private static int PrintInvite(CliContext context)
    {
        var written = ReadRuntime(context);
        if (written.TryGetProperty("invite", out var invite) && invite.GetString() is { } line)
        {
            context.Out.WriteLine(line);
            return ExitCodes.Ok;
        }
        if (!File.Exists(Path.Combine(context.Home, NodeIdentity.CertificateFileName)))
        {
            throw new CliException($"no hub has run with home {context.Home} (start one with: parley --home DIR hub)");
        }
        var port = written.GetProperty("port").GetInt32();
        var published = written.TryGetProperty("publicAddress", out var p) && p.GetString() is { } text && IPAddress.TryParse(text, out var a) ? a : null;
        using var identity = NodeIdentity.LoadOrCreate(context.Home);
        context.Out.WriteLine(HubServer.CreateInvite(identity.DeviceId, port, published));
        return ExitCodes.Ok;
    }
}

internal sealed class HubJoinVerb : IVerb
{
    public string Name => "hub-join";

    public string Arguments => "<invite>";

    public string Summary => "use a hub (remembered across restarts); it makes no one a contact";

    public async Task<int> RunAsync(CliContext context)
    {
        context.Args.ExpectPositional(1, 1);
        using var api = context.Api();
        var hub = await api.PostAsync<HubReply>("api/hub", new HubJoinRequest(context.Args.Positional[0])).ConfigureAwait(false);
        context.Out.WriteLine($"using hub {hub.Hub}");
        return ExitCodes.Ok;
    }
}

internal sealed class WhoisVerb : IVerb
{
    public string Name => "whois";

    public string Arguments => "<name|device-id> [--json]";

    public string Summary => "look a name or device ID up in the hub directory (signatures checked here)";

    public IReadOnlyCollection<string> FlagOptions => ["--json"];

    public async Task<int> RunAsync(CliContext context)
    {
        context.Args.ExpectPositional(1, 1);
        using var api = context.Api();
        var entries = await api.GetAsync<List<WhoisView>>($"api/whois?q={Uri.EscapeDataString(context.Args.Positional[0])}").ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(entries);
            return ExitCodes.Ok;
        }
        if (entries.Count == 0)
        {
            context.Out.WriteLine("(no one by that name or ID)");
            return ExitCodes.Failure;
        }
        if (entries.Count > 1)
        {
            context.Out.WriteLine($"{entries.Count} devices use this name; names are not identities, compare device IDs:");
        }
        foreach (var a in entries)
        {
            context.Out.WriteLine($"  {TerminalText.Safe(a.Name),-20} {a.DeviceId}");
            context.Out.WriteLine($"  {"",-20} {(a.SignatureValid ? "signature valid" : "SIGNATURE INVALID: do not trust this entry")}, "
                + (a.Online ? "online" : $"last seen {CliContext.Ago(a.LastSeen)}"));
        }
        return ExitCodes.Ok;
    }
}
