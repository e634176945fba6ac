using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Parley.Bench;

/// <summary>
/// A TCP forwarder that holds every chunk for a fixed time in each direction: a long link (for
/// example 20 ms each way, a 40 ms round trip) without the kernel's netem qdisc, which this machine
/// lacks. Chunks are timestamped on arrival and written when due, so throughput is not capped,
/// only delayed; at most 1,024 chunks wait per direction, after which reading pauses.
/// </summary>
internal sealed class DelayProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _target;
    private readonly TimeSpan _oneWay;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;

    public DelayProxy(IPEndPoint target, TimeSpan oneWay)
    {
        _target = target;
        _oneWay = oneWay;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public IPEndPoint EndPoint => (IPEndPoint)_listener.LocalEndpoint;

    /// <summary>
    /// Where to dial <c>target</c> through a new proxy delaying <paramref name="oneWay"/> each way (kept in
    /// <paramref name="proxies"/> for the caller to dispose); the target itself when there is no delay.
    /// </summary>
    public static IPEndPoint Route(IPEndPoint target, TimeSpan oneWay, List<DelayProxy> proxies)
    {
        if (oneWay == TimeSpan.Zero)
        {
            return target;
        }
        var proxy = new DelayProxy(target, oneWay);
        proxies.Add(proxy);
        return proxy.EndPoint;
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                _ = ForwardAsync(client);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ForwardAsync(TcpClient client)
    {
        using (client)
        using (var server = new TcpClient())
        {
            client.NoDelay = true;
            server.NoDelay = true;
            try
            {
                await server.ConnectAsync(_target, _stop.Token);
                var a = client.GetStream();
                var b = server.GetStream();
                await Task.WhenAny(PumpAsync(a, b), PumpAsync(b, a));
            }
            catch (Exception e) when (e is IOException or SocketException or OperationCanceledException)
            {
            }
        }
    }

    private async Task PumpAsync(Stream from, Stream to)
    {
        var queue = Channel.CreateBounded<(long Due, byte[] Bytes)>(1024);
        var writer = Task.Run(async () =>
        {
            await foreach (var (due, bytes) in queue.Reader.ReadAllAsync(_stop.Token))
            {
                var wait = due - Environment.TickCount64;
                if (wait > 0)
                {
                    await Task.Delay((int)wait, _stop.Token);
                }
                await to.WriteAsync(bytes, _stop.Token);
            }
        });
        try
        {
            var buffer = new byte[64 * 1024];
            int n;
            while ((n = await from.ReadAsync(buffer, _stop.Token)) > 0)
            {
                await queue.Writer.WriteAsync((Environment.TickCount64 + (long)_oneWay.TotalMilliseconds, buffer[..n]), _stop.Token);
            }
        }
        finally
        {
            queue.Writer.TryComplete();
        }
        await writer;
        to.Close();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _accepting;
    }
}
