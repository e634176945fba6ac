using Parley.Core.Links;

namespace Parley.Node.Links;

/// <summary>
/// When the next try to take one relayed link direct is due: soon at first, at once when something new
/// is known about the peer, and after each failed try — whether it found no path or threw something
/// unforeseen — at an exponential back-off from <paramref name="first"/> capped at <paramref name="max"/>.
/// Only one try runs at a time; none escapes as an unobserved exception.
/// </summary>
internal sealed class UpgradeSchedule(string known, DateTimeOffset next, TimeSpan first, TimeSpan max)
{
    private int _running;

    /// <summary>What was known of the peer's addresses when this was last looked at.</summary>
    public string Known { get; set; } = known;

    public DateTimeOffset Next { get; set; } = next;

    /// <summary>Tries that failed in a row.</summary>
    public int Failures { get; private set; }

    public bool IsDue(DateTimeOffset now) => now >= Next && Volatile.Read(ref _running) == 0;

    /// <summary>
    /// Runs <paramref name="attempt"/> (true: the link went direct) if no other is running; on failure
    /// schedules the next try and tells <paramref name="failed"/> how long that is, with the exception
    /// when the try threw one. Cancellation (the node stopping) ends quietly.
    /// </summary>
    public async Task RunAsync(Func<Task<bool>> attempt, TimeProvider time, Action<TimeSpan, Exception?> failed)
    {
        if (Interlocked.Exchange(ref _running, 1) != 0)
        {
            return;
        }
        Exception? error = null;
        try
        {
            if (await attempt().ConfigureAwait(false))
            {
                Failures = 0;
                return;
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            error = e; // a bug or an odd socket state must not retry every tick, nor go unobserved
        }
        finally
        {
            Volatile.Write(ref _running, 0);
        }
        Failures++;
        var wait = Backoff.Delay(Failures, first, max);
        Next = time.GetUtcNow() + wait;
        failed(wait, error);
    }
}
