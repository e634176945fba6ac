namespace Parley.Node;

/// <summary>Where a node keeps its files, and which files those are.</summary>
public static class HomeFolder
{
    public const string ApiKeyFileName = "api-key";
    public const string RuntimeFileName = "node.json";

    /// <summary><paramref name="explicitHome"/> (--home), else $PARLEY_HOME, else $XDG_DATA_HOME/parley, else ~/.local/share/parley.</summary>
    public static string Resolve(string? explicitHome)
    {
        if (!string.IsNullOrWhiteSpace(explicitHome))
        {
            return Path.GetFullPath(explicitHome);
        }
        var fromEnvironment = Environment.GetEnvironmentVariable("PARLEY_HOME");
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return Path.GetFullPath(fromEnvironment);
        }
        var xdg = Environment.GetEnvironmentVariable("XDG_DATA_HOME");
        var data = !string.IsNullOrWhiteSpace(xdg)
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share");
        return Path.Combine(data, "parley");
    }

    public static string ApiKeyPath(string home) => Path.Combine(home, ApiKeyFileName);

    public static string RuntimePath(string home) => Path.Combine(home, RuntimeFileName);
}

/// <summary>What a running node records in its home (node.json) so the CLI can find its API.</summary>
public sealed record RuntimeInfo(string ApiUrl, int Pid, string DeviceId, int PeerPort);
