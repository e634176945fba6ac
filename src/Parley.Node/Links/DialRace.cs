using Parley.Core.Links;

namespace Parley.Node.Links;

/// <summary>One way to reach a peer in a dial round: when it may start, and how it links (given the race's claim).</summary>
internal sealed record DialAttempt(string Label, TimeSpan StartAfter, Func<Func<bool>, CancellationToken, Task<PeerLink>> ConnectAsync);

/// <summary>
/// Happy eyeballs (RFC 8305, for paths instead of address families): attempts start at their own
/// offsets, or at once when nothing else is still trying, so a candidate whose SYNs vanish costs only
/// its stagger, never the handshake timeout. The first to prove the peer over TLS claims the race and
/// alone sends its hello (the peer links once); the others are cancelled and their sockets closed.
/// </summary>
internal static class DialRace
{
    public static async Task<PeerLink?> RunAsync(IReadOnlyList<DialAttempt> attempts, TimeProvider time, Action<DialAttempt, Exception> failed,
        CancellationToken cancellationToken)
    {
        var pending = new Queue<DialAttempt>(attempts.OrderBy(a => a.StartAfter));
        var running = new Dictionary<Task<PeerLink>, DialAttempt>();
        using var race = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var claimedBy = -1;
        var next = 0;
        var began = time.GetTimestamp();
        try
        {
            while (pending.Count > 0 || running.Count > 0)
            {
                var elapsed = time.GetElapsedTime(began);
                while (pending.Count > 0 && (pending.Peek().StartAfter <= elapsed || running.Count == 0))
                {
                    var attempt = pending.Dequeue();
                    var number = next++;
                    // Claimed at most once at a time; given back if the claimant then fails, so a later path may still link.
                    bool Claim() => Interlocked.CompareExchange(ref claimedBy, number, -1) == -1;
                    var task = StartAsync(attempt, Claim, race.Token);
                    running.Add(task, attempt);
                    _ = task.ContinueWith(_ => Interlocked.CompareExchange(ref claimedBy, -1, number), CancellationToken.None,
                        TaskContinuationOptions.NotOnRanToCompletion, TaskScheduler.Default);
                }
                var waits = new List<Task>(running.Keys);
                if (pending.Count > 0)
                {
                    waits.Add(Task.Delay(Max(pending.Peek().StartAfter - elapsed, TimeSpan.Zero), time, race.Token));
                }
                var done = await Task.WhenAny(waits).ConfigureAwait(false);
                if (done is not Task<PeerLink> finished)
                {
                    continue;
                }
                var which = running[finished];
                running.Remove(finished);
                if (finished.IsCompletedSuccessfully)
                {
                    return finished.Result;
                }
                failed(which, finished.Exception?.GetBaseException() ?? new OperationCanceledException());
            }
            return null;
        }
        finally
        {
            await race.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(running.Keys.Select(t => t.ContinueWith(static _ => { }, TaskScheduler.Default))).ConfigureAwait(false);
        }
    }

    private static async Task<PeerLink> StartAsync(DialAttempt attempt, Func<bool> claim, CancellationToken cancellationToken)
    {
        await Task.Yield();
        return await attempt.ConnectAsync(claim, cancellationToken).ConfigureAwait(false);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
