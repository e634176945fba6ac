using Parley.Cli;
using Parley.Node;

return await CliMain.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);

namespace Parley.Cli
{
    /// <summary>Finds the verb, applies the global <c>--home</c> (accepted before or after the verb) and runs it.</summary>
    internal static class CliMain
    {
        public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
        {
            string? home;
            List<string> rest;
            try
            {
                (home, rest) = TakeHome(args);
            }
            catch (UsageException e)
            {
                return Usage(error, e.Message);
            }
            if (rest.Count == 0 || rest[0] is "help" or "--help" or "-h")
            {
                var writer = rest.Count == 0 ? error : output;
                WriteUsage(writer);
                return rest.Count == 0 ? ExitCodes.Usage : ExitCodes.Ok;
            }
            var verb = VerbCatalog.Find(rest[0]);
            if (verb is null)
            {
                return Usage(error, $"unknown command '{TerminalText.Safe(rest[0])}'");
            }
            try
            {
                var parsed = CliArgs.Parse(rest.Skip(1), verb.ValuedOptions, [.. verb.FlagOptions, "--help"]);
                if (parsed.Has("--help"))
                {
                    output.WriteLine($"usage: parley {verb.Name} {verb.Arguments}\n  {verb.Summary}");
                    return ExitCodes.Ok;
                }
                return await verb.RunAsync(new CliContext(parsed, HomeFolder.Resolve(home), output, error)).ConfigureAwait(false);
            }
            catch (UsageException e)
            {
                error.WriteLine($"parley {verb.Name}: {e.Message}");
                error.WriteLine($"usage: parley {verb.Name} {verb.Arguments}");
                return ExitCodes.Usage;
            }
            catch (CliException e)
            {
                error.WriteLine($"parley {verb.Name}: {TerminalText.Safe(e.Message)}");
                return e.ExitCode;
            }
        }

        private static (string? Home, List<string> Remaining) TakeHome(string[] args)
        {
            string? home = null;
            var rest = new List<string>();
            for (var i = 0; i < args.Length; i++)
            {
                if (args[i] == "--")
                {
                    rest.AddRange(args[i..]);
                    break;
                }
                if (args[i] == "--home")
                {
                    home = i + 1 < args.Length ? args[++i] : throw new UsageException("--home needs a folder");
                }
                else if (args[i].StartsWith("--home=", StringComparison.Ordinal))
                {
                    home = args[i]["--home=".Length..];
                }
                else
                {
                    rest.Add(args[i]);
                }
            }
            return (home, rest);
        }

        private static int Usage(TextWriter error, string message)
        {
            error.WriteLine("parley: " + message);
            WriteUsage(error);
            return ExitCodes.Usage;
        }

        private static void WriteUsage(TextWriter writer)
        {
            writer.WriteLine("usage: parley [--home DIR] <command> [arguments]\n\ncommands:");
            foreach (var verb in VerbCatalog.All)
            {
                writer.WriteLine($"  {verb.Name,-9} {verb.Summary}");
            }
            writer.WriteLine("\n<peer> is a name, a device ID, or 8+ characters of one. --home (or $PARLEY_HOME) picks the node.");
        }
    }
}
