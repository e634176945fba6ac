using System.Net.Security;
using Parley.Core.Links;
using Parley.Core.Protocol;

namespace Parley.Core.Tests.Links;

/// <summary>One queue budget per link, in frames and bytes, that every frame goes through: pongs, pings, control and bulk.</summary>
public sealed class LinkBudgetTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static byte[] Pings(int count)
    {
        var ping = FrameWriter.ToArray(FrameType.Ping, 0, new PingNonce(7).ToArray());
        var all = new byte[ping.Length * count];
        for (var i = 0; i < count; i++)
        {
            ping.CopyTo(all, i * ping.Length);
        }
        return all;
    }

    /// <summary>Writes pings, never reading the pongs, until the link is cut or <paramref name="limit"/> went out; returns the most the server held queued.</summary>
    private static async Task<(int Frames, long Bytes)> FloodAsync(SslStream tls, PeerLink server, int limit)
    {
        var batch = Pings(4096);
        var peakFrames = 0;
        var peakBytes = 0L;
        try
        {
            for (var sent = 0; sent < limit && !server.IsClosed; sent += 4096)
            {
                using var stalled = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await tls.WriteAsync(batch, stalled.Token);
                peakFrames = Math.Max(peakFrames, server.QueuedFrames);
                peakBytes = Math.Max(peakBytes, server.QueuedBytes);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException)
        {
            // Cut off, or the server stopped reading: the flood is over either way.
        }
        return (peakFrames, peakBytes);
    }

    [Fact]
    public async Task PingFlood_WithoutReadingPongs_ClosesTheLinkAtItsBudget_AndFreesTheQueue()
    {
        var options = new LinkOptions { MaxQueuedFrames = 2_000 };
        await using var harness = new LinkHarness(options);
        var (tcp, tls, server) = await harness.RawPeerAsync();
        using (tcp)
        await using (tls)
        {
            server.Start((_, _) => ValueTask.CompletedTask);
            var (peakFrames, _) = await FloodAsync(tls, server, 20_000_000);
            var closed = await server.Closed.WaitAsync(Patience);
            Assert.Equal(CloseCode.ProtocolError, closed.Code);
            Assert.Contains("peer stopped reading", closed.Reason, StringComparison.Ordinal);
            Assert.InRange(peakFrames, 0, options.MaxQueuedFrames);
            Assert.Equal(0, server.QueuedFrames);
            Assert.Equal(0, server.QueuedBytes);
        }
    }

    [Fact]
    public async Task Stranger_GetsTheSmallBudget_UntilTrusted()
    {
        var options = new LinkOptions();
        await using var harness = new LinkHarness(options);
        var (tcp, tls, server) = await harness.RawPeerAsync();
        using (tcp)
        await using (tls)
        {
            server.Stranger = true;
            server.Start((_, _) => ValueTask.CompletedTask);
            var (peakFrames, peakBytes) = await FloodAsync(tls, server, 20_000_000);
            var closed = await server.Closed.WaitAsync(Patience);
            Assert.Contains("over the stranger's limit of 256 frames", closed.Reason, StringComparison.Ordinal);
            Assert.InRange(peakFrames, 0, options.StrangerMaxQueuedFrames);
            Assert.InRange(peakBytes, 0, options.StrangerMaxQueuedBytes);
        }
    }

    [Fact]
    public async Task PongsAnsweredAndRead_LeaveNothingCharged_SoTheBudgetNeverLoosens()
    {
        await using var harness = new LinkHarness(new LinkOptions { MaxQueuedFrames = 100 });
        var (client, server) = await harness.ConnectAsync();
        // Frames are read in order, so a marker echoed back proves the round is over: the server read
        // every ping before the marker (and queued every pong before its echo), and the client read
        // every pong before the echo. Waiting on the counters alone raced pings still in the socket.
        var echoed = new SemaphoreSlim(0);
        client.Start((_, _) =>
        {
            echoed.Release();
            return ValueTask.CompletedTask;
        });
        server.Start((link, frame) =>
        {
            Assert.True(link.TrySend(FrameType.ChatAck, System.Buffers.BuffersExtensions.ToArray(frame.Payload)));
            return ValueTask.CompletedTask;
        });
        // 1,000 pings in rounds the budget allows, each answered and read before the next round.
        for (var round = 0; round < 20; round++)
        {
            for (var i = 0; i < 50; i++)
            {
                Assert.True(client.TrySend(FrameType.Ping, new PingNonce((ulong)i).ToArray()));
            }
            Assert.True(client.TrySend(FrameType.ChatAck, Guid.NewGuid().ToByteArray()));
            Assert.True(await echoed.WaitAsync(Patience), "the round's marker never came back");
        }
        // The echo was read, so the server wrote it; its charge is released just after the write.
        var deadline = DateTime.UtcNow + Patience;
        while (server.QueuedFrames != 0 || server.QueuedBytes != 0 || client.QueuedFrames != 0 || client.QueuedBytes != 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"charges left: server {server.QueuedFrames}/{server.QueuedBytes} B, client {client.QueuedFrames}/{client.QueuedBytes} B");
            await Task.Delay(5);
        }
        Assert.Equal(0, server.QueuedFrames);
        Assert.Equal(0, server.QueuedBytes);
        Assert.False(server.IsClosed);
        Assert.False(client.IsClosed);
        await client.DisposeAsync();
        await server.DisposeAsync();
    }
}
