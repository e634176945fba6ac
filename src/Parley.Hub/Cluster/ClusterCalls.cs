using System.Diagnostics;
using NATS.Client.Core;
using Parley.Core.Protocol;

namespace Parley.Hub;

/// <summary>
/// A member's request that needs NATS. Tried again for a few seconds while NATS has no answer (when a
/// server dies, JetStream takes seconds to elect new leaders for what it led); if it still fails, the
/// member's link is closed with a clear reason (a <see cref="ProtocolException"/>), and its node moves
/// to another hub of the cluster.
/// </summary>
internal static class ClusterCalls
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(250);

    public static async ValueTask<T> RunAsync<T>(Func<ValueTask<T>> call, string what)
    {
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            try
            {
                return await call().AsTask().WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is NatsException or TimeoutException)
            {
                if (Stopwatch.GetElapsedTime(started) + Pause >= Patience || e is NATS.Client.JetStream.NatsJSApiException { Error.Code: not 503 })
                {
                    throw new ProtocolException($"this hub lost its cluster store during a {what}; connect to another hub of the cluster");
                }
                await Task.Delay(Pause).ConfigureAwait(false);
            }
        }
    }
}
