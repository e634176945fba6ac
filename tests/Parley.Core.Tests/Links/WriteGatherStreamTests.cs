using System.Net.Security;
using Parley.Core.Identity;
using Parley.Core.Links;

namespace Parley.Core.Tests.Links;

public class WriteGatherStreamTests
{
    [Fact]
    public async Task Gathering_ManySmallWrites_OneInnerWritePerBufferAtFlush()
    {
        using var pair = await LinkStreamPair.OpenAsync();
        var counting = new CountingStream(pair.Left);
        using var stream = new WriteGatherStream(counting, 64 * 1024);
        stream.StartGathering();
        var sent = new byte[16 * 1024 * 10];
        new Random(1).NextBytes(sent);

        for (var at = 0; at < sent.Length; at += 16 * 1024)
        {
            await stream.WriteAsync(sent.AsMemory(at, 16 * 1024));
        }
        Assert.Equal(2, counting.Writes); // two full 64 KiB batches left; the last 32 KiB waits for the flush
        await stream.FlushAsync();
        Assert.Equal(3, counting.Writes);

        var received = new byte[sent.Length];
        await pair.Right.ReadExactlyAsync(received);
        Assert.Equal(sent, received);
    }

    [Fact]
    public async Task NotGathering_Writes_PassStraightThrough()
    {
        using var pair = await LinkStreamPair.OpenAsync();
        var counting = new CountingStream(pair.Left);
        using var stream = new WriteGatherStream(counting);

        await stream.WriteAsync(new byte[] { 1, 2 });
        await stream.WriteAsync(new byte[] { 3 });

        Assert.Equal(2, counting.Writes);
        var received = new byte[3];
        await pair.Right.ReadExactlyAsync(received);
        Assert.Equal(new byte[] { 1, 2, 3 }, received);
    }

    [Fact]
    public async Task StopGathering_WithUnflushedBytes_WritesThemBeforeLaterWrites()
    {
        using var pair = await LinkStreamPair.OpenAsync();
        using var stream = new WriteGatherStream(pair.Left);
        stream.StartGathering();
        await stream.WriteAsync(new byte[] { 1, 2 });

        await stream.StopGatheringAsync(CancellationToken.None);
        await stream.WriteAsync(new byte[] { 3 }); // as TLS's closing alert after the send loop's last record

        var received = new byte[3];
        await pair.Right.ReadExactlyAsync(received).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(new byte[] { 1, 2, 3 }, received);
    }

    [Fact]
    public async Task UnderTls_GatheredWritesAndReadAhead_BigTransferArrivesWhole()
    {
        using var pair = await LinkStreamPair.OpenAsync();
        using var identity = NodeIdentity.CreateEphemeral();
        var leftGather = new WriteGatherStream(new ReadAheadStream(pair.Left));
        var rightGather = new WriteGatherStream(new ReadAheadStream(pair.Right));
        await using var client = new SslStream(leftGather);
        await using var server = new SslStream(rightGather);
        var context = SslStreamCertificateContext.Create(identity.Certificate, null, offline: true);
        await Task.WhenAll(
            client.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "parley",
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            }),
            server.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificateContext = context }));
        leftGather.StartGathering();
        var sent = new byte[3 * 1024 * 1024 + 17];
        new Random(2).NextBytes(sent);

        var send = Task.Run(async () =>
        {
            for (var at = 0; at < sent.Length; at += 256 * 1024)
            {
                await client.WriteAsync(sent.AsMemory(at, Math.Min(256 * 1024, sent.Length - at)));
                await client.FlushAsync();
            }
        });
        var received = new byte[sent.Length];
        await server.ReadExactlyAsync(received).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        await send;

        Assert.Equal(sent, received);
    }
}
