using System.Text.Json;
using Parley.Node.Events;

namespace Parley.Cli;

/// <summary>What a verb runs with: its arguments, the home folder, and where to write.</summary>
internal sealed class CliContext(CliArgs args, string home, TextWriter output, TextWriter error)
{
    public CliArgs Args { get; } = args;

    public string Home { get; } = home;

    public TextWriter Out { get; } = output;

    public TextWriter Error { get; } = error;

    public bool Json => Args.Has("--json");

    private static readonly JsonSerializerOptions IndentedRecords = new(EventHub.Json) { WriteIndented = true };

    /// <summary>Prints one of the node's contract records as the node itself writes it (camelCase, enums as strings), indented.</summary>
    public void WriteJson<T>(T record) where T : notnull => Out.WriteLine(JsonSerializer.Serialize(record, IndentedRecords));

    /// <summary>Prints a record on one line: a stream of events that a program reads a line at a time.</summary>
    public void WriteJsonLine<T>(T record) where T : notnull => Out.WriteLine(JsonSerializer.Serialize(record, EventHub.Json));

    public ApiClient Api() => ApiClient.Open(Home);

    /// <summary>"3 min ago", "just now": how long since <paramref name="when"/>.</summary>
    public static string Ago(DateTimeOffset when)
    {
        var elapsed = DateTimeOffset.UtcNow - when;
        return elapsed.TotalSeconds < 10 ? "just now"
            : elapsed.TotalMinutes < 1 ? $"{elapsed.TotalSeconds:0} s ago"
            : elapsed.TotalHours < 1 ? $"{elapsed.TotalMinutes:0} min ago"
            : elapsed.TotalDays < 1 ? $"{elapsed.TotalHours:0} h ago"
            : when.ToLocalTime().ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>One CLI verb; each lives in its own file under Verbs/.</summary>
internal interface IVerb
{
    string Name { get; }

    /// <summary>Arguments after the verb, for the usage line.</summary>
    string Arguments { get; }

    string Summary { get; }

    IReadOnlyCollection<string> ValuedOptions => [];

    IReadOnlyCollection<string> FlagOptions => [];

    Task<int> RunAsync(CliContext context);
}
