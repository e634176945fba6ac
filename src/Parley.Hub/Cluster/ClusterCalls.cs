using NATS.Client.Core;
using Parley.Core.Protocol;

namespace Parley.Hub;

/// <summary>
/// A member's request that needs NATS: if NATS fails it, the member's link is closed with a clear
/// reason (a <see cref="ProtocolException"/>), and its node moves to another hub of the cluster.
/// </summary>
internal static class ClusterCalls
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public static async ValueTask<T> RunAsync<T>(Func<ValueTask<T>> call, string what)
    {
        try
        {
            return await call().AsTask().WaitAsync(Timeout).ConfigureAwait(false);
        }
        catch (Exception e) when (e is NatsException or TimeoutException)
        {
            throw new ProtocolException($"this hub lost its cluster store during a {what}; connect to another hub of the cluster");
        }
    }
}
