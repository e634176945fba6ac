namespace Parley.Web.Tests;

/// <summary>
/// Threads that spin for a while, to leave the browser short of CPU as a busy machine would (a build, a
/// second call). Each stops by itself after <c>limit</c>, or when disposed, whichever comes first.
/// </summary>
internal sealed class CpuHog : IDisposable
{
    private readonly CancellationTokenSource _stop;
    private readonly Thread[] _threads;

    private CpuHog(int threads, TimeSpan limit)
    {
        _stop = new CancellationTokenSource(limit);
        var token = _stop.Token;
        _threads = [.. Enumerable.Range(0, threads).Select(_ => new Thread(() => Spin(token)) { IsBackground = true })];
        foreach (var thread in _threads)
        {
            thread.Start();
        }
    }

    public static CpuHog Start(int threads, TimeSpan limit) => new(threads, limit);

    private static void Spin(CancellationToken token)
    {
        var sink = 0UL;
        while (!token.IsCancellationRequested)
        {
            for (var i = 0; i < 100_000; i++)
            {
                sink = (sink * 6364136223846793005UL) + 1442695040888963407UL;
            }
        }
        GC.KeepAlive(sink);
    }

    public void Dispose()
    {
        _stop.Cancel();
        foreach (var thread in _threads)
        {
            thread.Join();
        }
        _stop.Dispose();
    }
}
