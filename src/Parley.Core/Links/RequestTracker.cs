using System.Collections.Concurrent;

namespace Parley.Core.Links;

/// <summary>
/// Requests sent and waiting for their reply, matched by ID: the one place request/reply matching
/// lives (hub lookups, relay tickets, mailbox puts, room commands, video lists). Each exchange has
/// its own tracker, typed by its reply, so no caller casts. A reply nobody waits for (late, forged,
/// or already timed out) is dropped: <see cref="TryComplete"/> says so.
/// </summary>
public sealed class RequestTracker<TKey, TReply>(TimeProvider time) where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, TaskCompletionSource<TReply>> _pending = new();

    /// <summary>Requests waiting now.</summary>
    public int Count => _pending.Count;

    /// <summary>
    /// Registers <paramref name="key"/>, runs <paramref name="send"/> and waits for its reply. Throws
    /// <see cref="TimeoutException"/> after <paramref name="timeout"/>, or what <see cref="Fail"/> was given.
    /// </summary>
    public async Task<TReply> SendAsync(TKey key, Action send, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var waiter = new TaskCompletionSource<TReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_pending.TryAdd(key, waiter))
        {
            throw new InvalidOperationException($"request {key} is already waiting");
        }
        try
        {
            send();
            return await waiter.Task.WaitAsync(timeout, time, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _pending.TryRemove(new KeyValuePair<TKey, TaskCompletionSource<TReply>>(key, waiter));
        }
    }

    /// <summary>Hands <paramref name="reply"/> to whoever waits for <paramref name="key"/>; false when nobody does.</summary>
    public bool TryComplete(TKey key, TReply reply) => _pending.TryRemove(key, out var waiter) && waiter.TrySetResult(reply);

    /// <summary>Fails the request waiting for <paramref name="key"/> (a refusal that is not a reply).</summary>
    public bool Fail(TKey key, Exception error) => _pending.TryRemove(key, out var waiter) && waiter.TrySetException(error);

    /// <summary>Fails every waiting request, as when the link they were sent on closed.</summary>
    public void FailAll(Exception error)
    {
        foreach (var key in _pending.Keys)
        {
            Fail(key, error);
        }
    }
}

/// <summary>Hands out request IDs for a <see cref="RequestTracker{TKey, TReply}"/> keyed by number.</summary>
public sealed class RequestIds
{
    private int _next;

    public uint Next() => (uint)Interlocked.Increment(ref _next);
}
