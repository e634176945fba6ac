using Parley.Core.Traversal;

namespace Parley.Cli;

/// <summary>The <c>--turn URI --turn-user U --turn-password P</c> options, shared by <c>up</c> and <c>turn-check</c>.</summary>
internal static class TurnArgs
{
    public const string Usage = "[--turn turn:HOST:PORT?transport=udp --turn-user USER --turn-password PASSWORD]";

    public static IReadOnlyCollection<string> Options => ["--turn", "--turn-user", "--turn-password"];

    /// <summary>The server the options name, or null when there is no <c>--turn</c>; a usage error for anything wrong.</summary>
    public static TurnServer? Parse(CliArgs args)
    {
        if (args.Value("--turn") is not { } uri)
        {
            return args.Has("--turn-user") || args.Has("--turn-password") ? throw new UsageException("--turn-user and --turn-password go with --turn") : null;
        }
        return TurnServer.TryParse(uri, args.Value("--turn-user"), args.Value("--turn-password"), out var server, out var error)
            ? server
            : throw new UsageException("--turn: " + error);
    }
}
