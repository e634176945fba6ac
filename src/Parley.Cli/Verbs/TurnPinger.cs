using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using Parley.Core.Traversal;

namespace Parley.Cli.Verbs;

/// <summary>
/// Pings a peer through a relay while answering the peer's own pings, so both ends of a
/// <c>turn-check</c> finish. A datagram is 'P' or 'A' (ping or answer), then the sender's timestamp.
/// </summary>
internal static class TurnPinger
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan Linger = TimeSpan.FromSeconds(2); // keep answering the peer after our own pings are done

    public sealed record Result(List<double> RoundTrips)
    {
        public string Summary(int sent)
        {
            if (RoundTrips.Count == 0)
            {
                return $"pings    0/{sent} answered through the relay";
            }
            RoundTrips.Sort();
            return string.Create(CultureInfo.InvariantCulture,
                $"pings    {RoundTrips.Count}/{sent} answered through the relay, round trip median {RoundTrips[RoundTrips.Count / 2]:0.00} ms (min {RoundTrips[0]:0.00}, max {RoundTrips[^1]:0.00})");
        }
    }

    public static async Task<Result> RunAsync(IMediaRelay relay, IPEndPoint peer, int pings, TimeSpan within)
    {
        using var stop = new CancellationTokenSource(within);
        var result = new Result([]);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var receiving = ReceiveAsync(relay, peer, pings, result, done, stop.Token);
        try
        {
            for (var sent = 0; !done.Task.IsCompleted && sent < pings * 10; sent++)
            {
                await relay.SendAsync(peer, Datagram((byte)'P', Stopwatch.GetTimestamp()), stop.Token).ConfigureAwait(false);
                await Task.WhenAny(done.Task, Task.Delay(Interval, stop.Token)).ConfigureAwait(false);
            }
            await Task.WhenAny(done.Task, Task.Delay(Timeout.Infinite, stop.Token)).ConfigureAwait(false);
            await Task.Delay(Linger, stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        await stop.CancelAsync().ConfigureAwait(false);
        await receiving.ConfigureAwait(false);
        return result;
    }

    private static async Task ReceiveAsync(IMediaRelay relay, IPEndPoint peer, int pings, Result result, TaskCompletionSource done, CancellationToken stop)
    {
        var buffer = new byte[64];
        try
        {
            while (true)
            {
                var (from, length) = await relay.ReceiveAsync(buffer, stop).ConfigureAwait(false);
                if (length != 9 || !from.Equals(peer))
                {
                    continue;
                }
                var stamp = BinaryPrimitives.ReadInt64BigEndian(buffer.AsSpan(1));
                if (buffer[0] == 'P')
                {
                    await relay.SendAsync(peer, Datagram((byte)'A', stamp), stop).ConfigureAwait(false);
                }
                else if (buffer[0] == 'A' && result.RoundTrips.Count < pings)
                {
                    result.RoundTrips.Add(Stopwatch.GetElapsedTime(stamp).TotalMilliseconds);
                    if (result.RoundTrips.Count == pings)
                    {
                        done.TrySetResult();
                    }
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or System.Threading.Channels.ChannelClosedException)
        {
        }
    }

    private static byte[] Datagram(byte kind, long stamp)
    {
        var datagram = new byte[9];
        datagram[0] = kind;
        BinaryPrimitives.WriteInt64BigEndian(datagram.AsSpan(1), stamp);
        return datagram;
    }
}
