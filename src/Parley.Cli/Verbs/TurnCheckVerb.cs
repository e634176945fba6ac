using System.Globalization;
using System.Net;
using Parley.Core.Traversal;

namespace Parley.Cli.Verbs;

/// <summary>
/// <c>parley turn-check</c>: allocates on a TURN server and prints the relayed address (and our own as
/// the server saw it), then deletes the allocation. With <c>--peer</c> (another turn-check's relayed
/// address, or <c>-</c> to read it from the input) it lets that peer through and pings it, answering
/// its pings too, so two machines can see the relay carry datagrams both ways.
/// </summary>
internal sealed class TurnCheckVerb : IVerb
{
    public string Name => "turn-check";

    public string Arguments => "--turn turn:HOST:PORT?transport=udp --turn-user USER --turn-password PASSWORD [--peer ADDRESS:PORT|-] [--pings N]";

    public string Summary => "check a TURN server: allocate, print the relayed address, optionally ping a peer through it";

    public IReadOnlyCollection<string> ValuedOptions => [.. TurnArgs.Options, "--peer", "--pings"];

    public async Task<int> RunAsync(CliContext context)
    {
        var args = context.Args;
        args.ExpectPositional(0, 0);
        var server = TurnArgs.Parse(args) ?? throw new UsageException("turn-check needs --turn");
        var pings = args.Value("--pings") is { } count
            ? int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 1000 ? n : throw new UsageException("--pings takes 1 to 1000")
            : 20;
        var peerText = args.Value("--peer");
        if (peerText is not null && peerText != "-" && !IPEndPoint.TryParse(peerText, out _))
        {
            throw new UsageException($"--peer takes ADDRESS:PORT or -, not '{TerminalText.Safe(peerText)}'");
        }
        TurnAllocation allocation;
        try
        {
            allocation = await TurnAllocation.AllocateAsync(server).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TurnException or System.Net.Sockets.SocketException)
        {
            throw new CliException(TerminalText.Safe(e.Message));
        }
        await using (allocation.ConfigureAwait(false))
        {
            context.Out.WriteLine($"relayed  {allocation.RelayedAddress}");
            context.Out.WriteLine($"mapped   {allocation.MappedAddress?.ToString() ?? "(not said)"}");
            await context.Out.FlushAsync().ConfigureAwait(false);
            if (peerText is null)
            {
                return ExitCodes.Ok;
            }
            if (peerText == "-")
            {
                using var wait = new CancellationTokenSource(TimeSpan.FromMinutes(5));
                peerText = (await Console.In.ReadLineAsync(wait.Token).ConfigureAwait(false))?.Trim();
            }
            if (!IPEndPoint.TryParse(peerText ?? "", out var peer))
            {
                throw new CliException($"not a peer address: '{TerminalText.Safe(peerText ?? "")}'");
            }
            await allocation.PermitAsync(peer, CancellationToken.None).ConfigureAwait(false);
            var result = await TurnPinger.RunAsync(allocation, peer, pings, TimeSpan.FromSeconds(20)).ConfigureAwait(false);
            context.Out.WriteLine(result.Summary(pings));
            return result.RoundTrips.Count == pings ? ExitCodes.Ok : ExitCodes.Failure;
        }
    }
}
