namespace Parley.Hub;

/// <summary>How a hub joins a cluster of hubs that share their state in NATS JetStream.</summary>
public sealed record HubClusterOptions
{
    /// <summary>NATS servers, <c>nats://host:port</c> (credentials may be in the URL; they are never logged). Required.</summary>
    public required IReadOnlyList<string> Servers { get; init; }

    /// <summary>TLS and credentials for NATS from <c>--cluster-config</c>, or none (URLs may still carry credentials).</summary>
    public HubClusterConfig? Config { get; init; }

    /// <summary>Where <see cref="Config"/> came from (for <c>hub status</c>, which reads it again).</summary>
    public string? ConfigFile { get; init; }

    /// <summary>The cluster's hub identity (one PEM file, the same on every hub), created mode 0600 if missing. Required.</summary>
    public required string IdentityFile { get; init; }

    /// <summary>How long a member stays online in the shared presence after its hub last refreshed it (each hub refreshes its own a third of this). Defaults to 15 s.</summary>
    public TimeSpan PresenceTtl { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a hub stays in the cluster's invite after it last said it was alive. Defaults to 15 s.</summary>
    public TimeSpan HubTtl { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long the hub may be cut off from NATS before it closes its members' links (so they move to another hub); new links are refused at once. Defaults to 10 s.</summary>
    public TimeSpan LostGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long start-up waits for NATS and JetStream (a new cluster elects its leaders first). Defaults to 30 s.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The servers as "host:port, ...": never the user, password or token a URL may carry.</summary>
    public static string Describe(IEnumerable<string> servers) => string.Join(", ", servers.Select(s =>
        Uri.TryCreate(s.Contains("://", StringComparison.Ordinal) ? s : "nats://" + s, UriKind.Absolute, out var uri) ? $"{uri.Host}:{(uri.Port > 0 ? uri.Port : 4222)}" : "(unparsable URL)"));
}
