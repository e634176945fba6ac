using Parley.Core.Links;
using Parley.Core.Protocol;

namespace Parley.Node.Hub;

/// <summary>
/// One kind of request to the hub and its reply (a lookup, a relay ticket, a mailbox put, a room
/// command): a fresh ID per request, a typed <see cref="RequestTracker{TKey, TReply}"/> matching the
/// reply to it, and the hub's silence turned into a <see cref="HubUnavailableException"/> naming what
/// it did not answer.
/// </summary>
internal sealed class HubExchange<TReply>(IHubChannel channel, TimeProvider time, string what)
{
    /// <summary>How long the hub has to answer. 5 s.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);
    private readonly RequestTracker<uint, TReply> _tracker = new(time);
    private readonly RequestIds _ids = new();

    /// <summary>Sends the request <paramref name="request"/> makes for a fresh ID and waits for the reply with that ID.</summary>
    public async Task<TReply> AskAsync<TRequest>(FrameType type, Func<uint, TRequest> request, CancellationToken cancellationToken = default)
        where TRequest : IWireMessage<TRequest>
    {
        var link = channel.RequireLink();
        var id = _ids.Next();
        try
        {
            return await _tracker.SendAsync(id, () =>
            {
                if (!link.TrySend(type, request(id).ToArray()))
                {
                    throw new HubUnavailableException("the hub is not reachable right now");
                }
            }, Timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new HubUnavailableException($"the hub did not answer {what} in time");
        }
    }

    /// <summary>Hands the hub's reply to the request waiting for <paramref name="id"/>; a late or unasked reply is dropped.</summary>
    public bool TryAnswer(uint id, TReply reply) => _tracker.TryComplete(id, reply);

    /// <summary>The hub refused request <paramref name="id"/> (a refusal, not a reply).</summary>
    public bool Refuse(uint id, Exception error) => _tracker.Fail(id, error);

    /// <summary>The link closed under the requests in flight: they fail now rather than waiting out the timeout.</summary>
    public void FailAll() => _tracker.FailAll(new HubUnavailableException($"the hub link closed while waiting for {what}"));
}
