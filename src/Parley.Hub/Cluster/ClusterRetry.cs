using Microsoft.Extensions.Logging;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace Parley.Hub;

/// <summary>
/// Runs a NATS operation again while the cluster fails over: a server killed under a request (or a stream
/// whose leader it was, until the others elect a new one) leaves it unanswered or stalled, not refused.
/// Only for operations that are safe to repeat; an answer (not found, a refusal) is never tried again.
/// </summary>
internal static class ClusterRetry
{
    /// <summary>While a cluster elects new leaders, requests fail at once ("no responders") for a few seconds: tried for this long.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    /// <summary>Tries <paramref name="operation"/> (each try cut off after <paramref name="timeout"/>) until it is answered or <see cref="Patience"/> is spent.</summary>
    public static async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> operation, TimeSpan timeout, ILogger logger, string what)
    {
        var deadline = Environment.TickCount64 + (long)Patience.TotalMilliseconds;
        for (var attempt = 1; ; attempt++)
        {
            using var cancel = new CancellationTokenSource(timeout);
            try
            {
                // WaitAsync too: an operation stalled on a lost server does not always heed its token.
                return await operation(cancel.Token).WaitAsync(timeout).ConfigureAwait(false);
            }
            catch (Exception e) when (Environment.TickCount64 < deadline && IsUnanswered(e))
            {
                ClusterLog.Failed(logger, $"{what} (attempt {attempt})", e.GetType().Name);
                await Task.Delay(TimeSpan.FromMilliseconds(500), CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>No answer came (as against a NATS error answer): worth asking again, likely of another server.</summary>
    public static bool IsUnanswered(Exception e) =>
        e is TimeoutException or OperationCanceledException or NatsNoRespondersException or NatsJSApiNoResponseException or NatsJSPublishNoResponseException;
}
