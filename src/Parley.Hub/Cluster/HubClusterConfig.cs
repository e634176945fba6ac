using System.Text.Json;
using System.Text.Json.Serialization;

namespace Parley.Hub;

/// <summary>
/// <c>parley hub --cluster-config FILE</c>: how to reach NATS when URLs alone do not say it — TLS (a CA
/// to trust, a client certificate) and credentials (user and password, a token, or a NATS .creds file).
/// JSON; readable by its owner only (as ssh insists for keys), since it holds secrets:
/// <code>
/// { "servers": ["tls://nats1:4222", ...], "user": "...", "password": "...", "token": "...", "creds": "/path/hub.creds",
///   "tls": { "ca": "/path/ca.pem", "cert": "/path/hub.pem", "key": "/path/hub-key.pem" } }
/// </code>
/// </summary>
public sealed record HubClusterConfig
{
    public IReadOnlyList<string>? Servers { get; init; }

    public string? User { get; init; }

    public string? Password { get; init; }

    public string? Token { get; init; }

    public string? Creds { get; init; }

    public ClusterTls? Tls { get; init; }

    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Reads and checks the file; every problem is an <see cref="InvalidOperationException"/> that names the file, never a secret in it.</summary>
    public static HubClusterConfig Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"no cluster config at {path}");
        }
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & (UnixFileMode.GroupRead | UnixFileMode.OtherRead | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite)) != 0)
        {
            throw new InvalidOperationException($"{path} holds NATS credentials but others may read it: chmod 600 {path}");
        }
        HubClusterConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<HubClusterConfig>(File.ReadAllText(path), Options);
        }
        catch (JsonException e)
        {
            // The parser's message quotes no values, only where it stopped and which property it did not know.
            throw new InvalidOperationException($"{path} is not a cluster config: {e.Message}");
        }
        if (config is null)
        {
            throw new InvalidOperationException($"{path} is empty");
        }
        foreach (var file in new[] { config.Creds, config.Tls?.Ca, config.Tls?.Cert, config.Tls?.Key }.OfType<string>())
        {
            if (!File.Exists(file))
            {
                throw new InvalidOperationException($"{path} names {file}, which does not exist");
            }
        }
        if (config.Tls is { } tls && (tls.Cert is null) != (tls.Key is null))
        {
            throw new InvalidOperationException($"{path}: a client certificate needs both tls.cert and tls.key");
        }
        return config;
    }
}

/// <summary>TLS to NATS: the CA that signed the servers' certificates, and this hub's own certificate when the servers ask for one.</summary>
public sealed record ClusterTls(string? Ca, string? Cert, string? Key);
