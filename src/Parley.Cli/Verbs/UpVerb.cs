using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;
using Parley.Core.Links;
using Parley.Core.Traversal.PortMapping;
using Parley.Node;

namespace Parley.Cli.Verbs;

/// <summary>Runs the node in this process until Ctrl+C, SIGTERM or <c>parley stop</c>.</summary>
internal sealed class UpVerb : IVerb
{
    public string Name => "up";

    public string Arguments => "[--name NAME] [--port N] [--api-port N] [--discovery-port N] [--no-discovery] [--no-port-mapping | --port-mapping pcp,nat-pmp,upnp] [--hub INVITE] [--videos DIR] " + TurnArgs.Usage + " [--log-protocol] [--normal-priority]";

    public string Summary => "start this node (peer links, LAN discovery, local API) and keep it running";

    public IReadOnlyCollection<string> ValuedOptions => ["--name", "--port", "--api-port", "--discovery-port", "--hub", "--videos", "--port-mapping", .. TurnArgs.Options];

    public IReadOnlyCollection<string> FlagOptions => ["--no-discovery", "--no-port-mapping", "--log-protocol", "--normal-priority"];

    public async Task<int> RunAsync(CliContext context)
    {
        var args = context.Args;
        args.ExpectPositional(0, 0);
        var name = args.Value("--name");
        if (name is not null && (name.Trim().Length == 0 || System.Text.Encoding.UTF8.GetByteCount(name) > Core.Protocol.ProtocolLimits.MaxNameBytes))
        {
            throw new UsageException("--name takes 1 to 64 bytes of text");
        }
        var hub = args.Value("--hub");
        if (hub is not null && !Core.Identity.Invite.TryParse(hub, out _, out var hubError))
        {
            throw new UsageException("--hub: " + hubError);
        }
        var videos = args.Value("--videos") is { } folder ? Path.GetFullPath(folder) : null;
        if (videos is not null && !Directory.Exists(videos))
        {
            throw new UsageException($"--videos: no folder at {videos}");
        }
        var turn = TurnArgs.Parse(args);
        var options = new NodeOptions
        {
            HubInvite = hub,
            TurnServers = turn is null ? [] : [turn],
            VideosFolder = videos,
            Home = context.Home,
            Name = name?.Trim(),
            PeerPort = args.Port("--port", NodeOptions.DefaultPeerPort),
            ApiPort = args.Port("--api-port", NodeOptions.DefaultApiPort),
            DiscoveryPort = args.Port("--discovery-port", NodeOptions.DefaultDiscoveryPort),
            Discovery = !args.Has("--no-discovery"),
            PortMapping = !args.Has("--no-port-mapping"),
            PortMappingMethods = MappingMethodsOption(args.Value("--port-mapping")),
            Link = new LinkOptions { LogProtocol = args.Has("--log-protocol") },
        };
        if (ApiClient.TryOpen(context.Home) is { } existing)
        {
            using (existing)
            {
                if (await IsAliveAsync(existing).ConfigureAwait(false))
                {
                    throw new CliException($"a node is already running for {context.Home} at {existing.BaseUrl}");
                }
            }
        }
        if (!args.Has("--normal-priority"))
        {
            BackgroundPriority.Lower();
        }
        using var loggerFactory = LoggerFactory.Create(logging => logging
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            })
            .SetMinimumLevel(LogLevel.Information)
            .AddFilter("Microsoft", LogLevel.Warning));
        ParleyNode node;
        try
        {
            node = await ParleyNode.StartAsync(options, loggerFactory).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            throw new CliException(e.Message);
        }
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        context.Out.WriteLine($"Parley node \"{TerminalText.Safe(node.Name)}\"");
        context.Out.WriteLine($"  device ID  {node.DeviceId}");
        context.Out.WriteLine($"  peer port  {node.PeerPort}");
        context.Out.WriteLine($"  API        {node.ApiUrl}");
        context.Out.WriteLine($"  web UI     {node.CreateLoginUrl()}  (one-time link; later: parley open)");
        if (node.Videos.Sharing.SharedFolder is { } shared)
        {
            context.Out.WriteLine($"  videos     {TerminalText.Safe(shared)} (parley videos unshare stops sharing)");
        }
        if (turn is not null)
        {
            context.Out.WriteLine($"  TURN       {turn}");
        }
        context.Out.WriteLine($"  discovery  {(node.DiscoveryEnabled ? $"on (UDP {options.DiscoveryPort})" : "off")}");
        context.Out.WriteLine($"  home       {context.Home}");
        context.Out.WriteLine("ready");
        await context.Out.FlushAsync().ConfigureAwait(false);
        await node.StopRequested.ConfigureAwait(false);
        context.Out.WriteLine("shutting down");
        await node.StopAsync().ConfigureAwait(false);
        context.Out.WriteLine("stopped");
        return ExitCodes.Ok;

        void Stop(PosixSignalContext signal)
        {
            signal.Cancel = true;
            node.RequestStop();
        }
    }

    /// <summary><c>--port-mapping</c>: which of pcp, nat-pmp and upnp to try (all when not given).</summary>
    private static MappingMethods MappingMethodsOption(string? list)
    {
        if (list is null)
        {
            return MappingMethods.All;
        }
        var methods = MappingMethods.None;
        foreach (var name in list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            methods |= name.ToLowerInvariant() switch
            {
                "pcp" => MappingMethods.Pcp,
                "nat-pmp" => MappingMethods.NatPmp,
                "upnp" => MappingMethods.Upnp,
                _ => throw new UsageException($"--port-mapping: '{name}' is not pcp, nat-pmp or upnp"),
            };
        }
        return methods;
    }

    private static async Task<bool> IsAliveAsync(ApiClient client)
    {
        try
        {
            await client.GetAsync<Node.Api.NodeStatus>("api/status").ConfigureAwait(false);
            return true;
        }
        catch (CliException)
        {
            return false;
        }
    }
}
