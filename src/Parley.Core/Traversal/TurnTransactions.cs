using System.Buffers.Binary;
using System.Text;

namespace Parley.Core.Traversal;

/// <summary>
/// TURN's requests to one server (RFC 8489 §6.2.1, §9.2): each sent and retransmitted (RTO doubling,
/// a bounded number of times) until a response with its transaction ID arrives; the long-term
/// credential exchange (a 401 gives realm and nonce, then every request carries USERNAME, REALM, NONCE
/// and MESSAGE-INTEGRITY; a 438 gives a fresh nonce to retry with); a response to an authenticated
/// request counts only if its MESSAGE-INTEGRITY verifies with our key — anything else is dropped as if
/// never received, so a forged reply cannot answer for the server.
/// </summary>
internal sealed class TurnTransactions(TurnServer server, TurnOptions options, Func<byte[], CancellationToken, ValueTask> send)
{
    public const ushort SuccessClass = 0x0100;
    public const ushort ErrorClass = 0x0110;
    private const int MaxRealmOrNonceBytes = 763;
    private const int MaxRounds = 3; // the first 401, then a stale nonce or two

    private readonly Lock _gate = new();
    private readonly Dictionary<(ulong, uint), Pending> _pending = [];
    private Credentials? _credentials;

    private sealed record Credentials(string Realm, byte[] Nonce, byte[] Key);

    private sealed record Pending(TaskCompletionSource<byte[]> Response, byte[]? Key);

    /// <summary>Sends a <paramref name="method"/> request with the attributes <paramref name="attributes"/> adds; the success response's bytes, or a <see cref="TurnException"/>.</summary>
    public async Task<byte[]> RequestAsync(ushort method, Action<StunMessageBuilder> attributes, CancellationToken cancellationToken)
    {
        for (var round = 0; ; round++)
        {
            var credentials = _credentials;
            var builder = new StunMessageBuilder(method);
            attributes(builder);
            if (credentials is not null)
            {
                builder.Add(StunAttribute.Username, server.Username).Add(StunAttribute.Realm, credentials.Realm)
                    .Add(StunAttribute.Nonce, credentials.Nonce).AddIntegrity(credentials.Key);
            }
            builder.AddFingerprint();
            var response = await ExchangeAsync(method, builder, credentials?.Key, cancellationToken).ConfigureAwait(false);
            if (Judge(method, response, credentials is not null, round < MaxRounds - 1))
            {
                return response;
            }
        }
    }

    /// <summary>Hands a response to the request waiting for it; false when nobody waits or it fails its integrity check.</summary>
    public bool TryComplete(in StunMessage response)
    {
        var id = Key(response.TransactionId);
        Pending? pending;
        lock (_gate)
        {
            if (!_pending.TryGetValue(id, out pending))
            {
                return false;
            }
        }
        var success = (response.Type & 0x0110) == SuccessClass;
        if (pending.Key is not null && (success || response.HasIntegrity) && !StunIntegrity.Verify(response, pending.Key))
        {
            return false;
        }
        return pending.Response.TrySetResult(response.Bytes.ToArray());
    }

    private async Task<byte[]> ExchangeAsync(ushort method, StunMessageBuilder request, byte[]? key, CancellationToken cancellationToken)
    {
        var id = Key(request.TransactionId);
        var pending = new Pending(new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously), key);
        lock (_gate)
        {
            _pending[id] = pending;
        }
        try
        {
            var bytes = request.ToArray();
            var rto = options.InitialRto;
            for (var attempt = 0; attempt < options.MaxAttempts; attempt++, rto *= 2)
            {
                try
                {
                    await send(bytes, cancellationToken).ConfigureAwait(false);
                }
                catch (System.Net.Sockets.SocketException)
                {
                    // Unreachable for now (an ICMP error from an earlier try): the next try may get through.
                }
                try
                {
                    return await pending.Response.Task.WaitAsync(rto, options.TimeProvider, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                }
            }
            throw new TurnException($"{server} did not answer {TurnMessages.Name(method)} after {options.MaxAttempts} tries");
        }
        finally
        {
            lock (_gate)
            {
                _pending.Remove(id);
            }
        }
    }

    /// <summary>True for a success; false to send again (new credentials taken); throws for a refusal.</summary>
    private bool Judge(ushort method, byte[] bytes, bool authenticated, bool mayRetry)
    {
        if (!StunMessage.TryParse(bytes, out var response))
        {
            throw new TurnException($"{server} sent an unreadable answer to {TurnMessages.Name(method)}");
        }
        if ((response.Type & 0x0110) == SuccessClass)
        {
            return true;
        }
        response.TryGetError(out var code, out var reason);
        var refused = $"{server} refused {TurnMessages.Name(method)}: {code} {reason}".TrimEnd();
        if (code == 401 && authenticated)
        {
            throw new TurnException($"{server} refused user '{server.Username}': wrong user name or password ({$"401 {reason}".TrimEnd()})", code);
        }
        if ((code == 401 || code == 438) && mayRetry && TryTakeCredentials(response, code == 438))
        {
            return false;
        }
        throw new TurnException(code == 401 ? $"{server} asked for credentials without a usable realm and nonce (401)" : refused, code);
    }

    /// <summary>Takes the realm and nonce a 401 or 438 gave (a 438 may give only a new nonce: the realm stays).</summary>
    private bool TryTakeCredentials(in StunMessage response, bool stale)
    {
        if (!response.TryGet(StunAttribute.Nonce, out var nonce) || nonce.Length is 0 or > MaxRealmOrNonceBytes)
        {
            return false;
        }
        string realm;
        if (response.TryGet(StunAttribute.Realm, out var realmBytes) && realmBytes.Length <= MaxRealmOrNonceBytes)
        {
            realm = Encoding.UTF8.GetString(realmBytes);
        }
        else if (stale && _credentials is { } known)
        {
            realm = known.Realm;
        }
        else
        {
            return false;
        }
        var key = _credentials is { } current && current.Realm == realm ? current.Key : StunIntegrity.LongTermKey(server.Username, realm, server.Password);
        _credentials = new Credentials(realm, nonce.ToArray(), key);
        return true;
    }

    private static (ulong, uint) Key(ReadOnlySpan<byte> transactionId) =>
        (BinaryPrimitives.ReadUInt64BigEndian(transactionId), BinaryPrimitives.ReadUInt32BigEndian(transactionId[8..]));
}
