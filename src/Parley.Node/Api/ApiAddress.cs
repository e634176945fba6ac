using System.Security.Cryptography;
using Parley.Core.Identity;

namespace Parley.Node.Api;

/// <summary>
/// Where the local API listens (known once Kestrel has bound, since the port may be 0) and the key
/// the CLI proves itself with (in the home folder, mode 0600, made on first start).
/// </summary>
public sealed class ApiAddress(string apiKey)
{
    private volatile Uri? _url;

    public string ApiKey { get; } = apiKey;

    public Uri Url => _url ?? throw new InvalidOperationException("the API is not started");

    public int Port => _url?.Port ?? 0;

    internal void Bound(Uri url) => _url = url;

    public static ApiAddress LoadOrCreate(string home)
    {
        var path = HomeFolder.ApiKeyPath(home);
        if (File.Exists(path))
        {
            var existing = File.ReadAllText(path).Trim();
            if (existing.Length >= 32)
            {
                return new ApiAddress(existing);
            }
        }
        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        NodeIdentity.WriteOwnerOnly(path, key);
        return new ApiAddress(key);
    }
}
