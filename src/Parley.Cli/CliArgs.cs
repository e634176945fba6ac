namespace Parley.Cli;

/// <summary>The user typed something the verb does not take; usage is printed and the exit code is 2.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>A verb failed for a reason the user should read (exit code 1, or the one given).</summary>
internal sealed class CliException(string message, int exitCode = ExitCodes.Failure) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}

internal static class ExitCodes
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int Usage = 2;
    public const int NoNode = 3;
}

/// <summary>
/// A verb's command line: positional arguments and <c>--options</c>. Options a verb does not
/// declare are refused, so a typo never silently does something else.
/// </summary>
internal sealed class CliArgs
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);

    private CliArgs(List<string> positional) => Positional = positional;

    public IReadOnlyList<string> Positional { get; }

    /// <summary>Parses <paramref name="tokens"/>; <paramref name="valued"/> options take a value, <paramref name="flags"/> do not.</summary>
    public static CliArgs Parse(IEnumerable<string> tokens, IReadOnlyCollection<string> valued, IReadOnlyCollection<string> flags)
    {
        var positional = new List<string>();
        var args = new CliArgs(positional);
        using var e = tokens.GetEnumerator();
        var onlyPositional = false;
        while (e.MoveNext())
        {
            var token = e.Current;
            if (onlyPositional || !token.StartsWith("--", StringComparison.Ordinal) || token == "-")
            {
                positional.Add(token);
                continue;
            }
            if (token == "--")
            {
                onlyPositional = true;
                continue;
            }
            var (name, inline) = token.IndexOf('=', StringComparison.Ordinal) is var eq and > 0 ? (token[..eq], token[(eq + 1)..]) : (token, null);
            if (flags.Contains(name) && inline is null)
            {
                args._options[name] = null;
            }
            else if (valued.Contains(name))
            {
                if (inline is null && !e.MoveNext())
                {
                    throw new UsageException($"{name} needs a value");
                }
                args._options[name] = inline ?? e.Current;
            }
            else
            {
                throw new UsageException($"unknown option {name}");
            }
        }
        return args;
    }

    public bool Has(string option) => _options.ContainsKey(option);

    public string? Value(string option) => _options.GetValueOrDefault(option);

    public int Port(string option, int fallback)
    {
        var text = Value(option);
        if (text is null)
        {
            return fallback;
        }
        return int.TryParse(text, out var port) && port is >= 0 and <= 65535
            ? port
            : throw new UsageException($"{option} takes a port number from 0 to 65535 (0 picks a free one), not '{text}'");
    }

    public void ExpectPositional(int min, int max)
    {
        if (Positional.Count < min)
        {
            throw new UsageException("missing argument");
        }
        if (Positional.Count > max)
        {
            throw new UsageException($"unexpected argument '{Positional[max]}'");
        }
    }
}
