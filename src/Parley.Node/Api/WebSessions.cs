using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Parley.Node.Storage;

namespace Parley.Node.Api;

/// <summary>
/// Browser sessions of the web UI. <c>parley open</c> asks for a one-time login token (valid two
/// minutes, used once); <c>/login</c> trades it for a session cookie. Sessions are kept in the
/// node's database, so a restarted node still knows the browser; only the SHA-256 of each cookie
/// is stored (a copied database file signs nobody in). A session ends on sign-out or after
/// <see cref="SessionLifetime"/>. The CSRF token is derived from the cookie, so it needs no storing.
/// </summary>
internal sealed class WebSessions
{
    /// <summary>How long a login link works. Two minutes: long enough to open it, short enough not to linger in history.</summary>
    public static readonly TimeSpan LoginTokenLifetime = TimeSpan.FromMinutes(2);

    /// <summary>How long a signed-in browser stays signed in. 30 days, then <c>parley open</c> again.</summary>
    public static readonly TimeSpan SessionLifetime = TimeSpan.FromDays(30);

    /// <summary>Most login tokens outstanding at once; the oldest go first.</summary>
    private const int MaxPendingTokens = 64;

    /// <summary>Most sessions kept at once; a new one past it ends the oldest. 32 browsers is more than anyone signs in.</summary>
    public const int MaxSessions = 32;

    private readonly TimeProvider _time;
    private readonly NodeStore _store;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _loginTokens = new(StringComparer.Ordinal);
    private readonly Task<ConcurrentDictionary<string, WebSessionRecord>> _sessions;

    public WebSessions(TimeProvider time, NodeStore store)
    {
        _time = time;
        _store = store;
        _sessions = LoadAsync(store);
    }

    private static async Task<ConcurrentDictionary<string, WebSessionRecord>> LoadAsync(NodeStore store) =>
        new((await store.LoadWebSessionsAsync().ConfigureAwait(false)).Select(s => KeyValuePair.Create(s.IdHash, s)), StringComparer.Ordinal);

    /// <summary>A new one-time login token.</summary>
    public string CreateLoginToken()
    {
        var now = _time.GetUtcNow();
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

    /// <summary>Spends a login token: a new stored session, or null if the token is unknown, used or expired.</summary>
    public async Task<WebSession?> RedeemAsync(string? token)
    {
        var now = _time.GetUtcNow();
        if (string.IsNullOrEmpty(token) || !_loginTokens.TryRemove(token, out var issued) || now - issued > LoginTokenLifetime)
        {
            return null;
        }
        var sessions = await _sessions.ConfigureAwait(false);
        var cookie = NewSecret();
        var record = new WebSessionRecord(Hash(cookie), now, now + SessionLifetime);
        foreach (var stale in sessions.Values.Where(s => s.ExpiresAt <= now)
            .Concat(sessions.Values.OrderBy(s => s.CreatedAt).Take(Math.Max(0, sessions.Count + 1 - MaxSessions))).ToList())
        {
            await EndAsync(stale.IdHash).ConfigureAwait(false);
        }
        sessions[record.IdHash] = record;
        await _store.SaveWebSessionAsync(record).ConfigureAwait(false);
        return Describe(cookie, record);
    }

    /// <summary>The live session a cookie names, or null (unknown, signed out or expired).</summary>
    public async ValueTask<WebSession?> FindAsync(string? cookie)
    {
        if (string.IsNullOrEmpty(cookie))
        {
            return null;
        }
        var sessions = await _sessions.ConfigureAwait(false);
        return sessions.TryGetValue(Hash(cookie), out var record) && record.ExpiresAt > _time.GetUtcNow() ? Describe(cookie, record) : null;
    }

    /// <summary>Revokes a session (sign-out): its cookie is refused from now on, across restarts too.</summary>
    public async Task EndAsync(string idHash)
    {
        (await _sessions.ConfigureAwait(false)).TryRemove(idHash, out _);
        await _store.DeleteWebSessionAsync(idHash).ConfigureAwait(false);
    }

    private static WebSession Describe(string cookie, WebSessionRecord record) =>
        new(cookie, record.IdHash, Hash("csrf:" + cookie), record.ExpiresAt);

    private static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private static string NewSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
}

/// <summary>One signed-in browser: its cookie value, the key it is stored under, the token its unsafe requests must echo, and when it ends.</summary>
internal sealed record WebSession(string Cookie, string IdHash, string CsrfToken, DateTimeOffset ExpiresAt);
