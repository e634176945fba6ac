using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Parley.Node.Api;

/// <summary>
/// Browser sessions of the web UI. <c>parley open</c> asks for a one-time login token (valid two
/// minutes, used once); <c>/login</c> trades it for a session cookie and a CSRF token. Held in
/// memory only, so every session ends when the node stops.
/// </summary>
internal sealed class WebSessions(TimeProvider time)
{
    /// <summary>How long a login link works. Two minutes: long enough to open it, short enough not to linger in history.</summary>
    public static readonly TimeSpan LoginTokenLifetime = TimeSpan.FromMinutes(2);

    /// <summary>Most login tokens outstanding at once; the oldest go first.</summary>
    private const int MaxPendingTokens = 64;

    private readonly ConcurrentDictionary<string, DateTimeOffset> _loginTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, WebSession> _sessions = new(StringComparer.Ordinal);

    /// <summary>A new one-time login token.</summary>
    public string CreateLoginToken()
    {
        var now = time.GetUtcNow();
        foreach (var (token, issued) in _loginTokens)
        {
            if (now - issued > LoginTokenLifetime)
            {
                _loginTokens.TryRemove(token, out _);
            }
        }
        while (_loginTokens.Count >= MaxPendingTokens)
        {
            _loginTokens.TryRemove(_loginTokens.MinBy(t => t.Value).Key, out _);
        }
        var fresh = NewSecret();
        _loginTokens[fresh] = now;
        return fresh;
    }

    /// <summary>A one-time link that signs a browser in to the web UI at <paramref name="api"/>; it works once, within two minutes.</summary>
    public Uri CreateLoginUrl(Uri api) => new(api, $"{ApiSecurity.LoginPath.TrimStart('/')}?token={CreateLoginToken()}");

    /// <summary>Spends a login token: a new session, or null if the token is unknown, used or expired.</summary>
    public WebSession? Redeem(string? token)
    {
        if (string.IsNullOrEmpty(token) || !_loginTokens.TryRemove(token, out var issued) || time.GetUtcNow() - issued > LoginTokenLifetime)
        {
            return null;
        }
        var session = new WebSession(NewSecret(), NewSecret());
        _sessions[session.Id] = session;
        return session;
    }

    public WebSession? Find(string? id) => id is not null && _sessions.TryGetValue(id, out var session) ? session : null;

    public void End(string id) => _sessions.TryRemove(id, out _);

    private static string NewSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
}

/// <summary>One logged-in browser: its cookie value and the token its unsafe requests must echo.</summary>
internal sealed record WebSession(string Id, string CsrfToken);
