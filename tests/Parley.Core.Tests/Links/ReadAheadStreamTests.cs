using Parley.Core.Links;

namespace Parley.Core.Tests.Links;

public class ReadAheadStreamTests
{
    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static async Task<byte[]> ReadExactlyAsync(Stream stream, int length, int pieceSize)
    {
        var received = new byte[length];
        var at = 0;
        while (at < length)
        {
            var read = await stream.ReadAsync(received.AsMemory(at, Math.Min(pieceSize, length - at)));
            Assert.True(read > 0, $"end of stream after {at} of {length} bytes");
            at += read;
        }
        return received;
    }

    [Fact]
    public async Task SmallReads_DataAlreadyThere_ServedFromFewLargeSocketReads()
    {
        using var pair = await LinkStreamPair.OpenAsync();
        var sent = Bytes(1 << 20, 1);
        await pair.Left.WriteAsync(sent);
        await Task.Delay(100); // let the whole MiB reach the receiver's socket buffer
        var counting = new CountingStream(pair.Right);
        using var stream = new ReadAheadStream(counting);

        var received = await ReadExactlyAsync(stream, sent.Length, 16 * 1024); // SslStream's record-sized reads

        Assert.Equal(sent, received);
        // 64 reads of 16 KiB reach the socket as a handful of 256 KiB ones (the kernel may hand out less at once).
        Assert.InRange(counting.Reads, 4, 16);
    }

    [Theory]
    [InlineData(1, 7)]           // a one-byte buffer: every read goes to the socket
    [InlineData(64, 1)]          // tiny reads from a small buffer
    [InlineData(256 * 1024, 3)]  // partial reads of odd sizes from the default buffer
    [InlineData(1024, 300_000)]  // reads bigger than the buffer go straight to the socket
    public async Task PartialReads_AnyBufferAndReadSize_ArriveInOrder(int bufferSize, int pieceSize)
    {
        using var pair = await LinkStreamPair.OpenAsync();
        var sent = Bytes(bufferSize == 1 ? 20_000 : 600_000, bufferSize);
        using var stream = new ReadAheadStream(pair.Right, bufferSize);

        var write = Task.Run(async () =>
        {
            for (var at = 0; at < sent.Length; at += 10_000)
            {
                await pair.Left.WriteAsync(sent.AsMemory(at, Math.Min(10_000, sent.Length - at)));
            }
        });
        var received = await ReadExactlyAsync(stream, sent.Length, pieceSize);
        await write;

        Assert.Equal(sent, received);
    }

    [Fact]
    public async Task SyncReads_PartialPieces_ArriveInOrder()
    {
        using var pair = await LinkStreamPair.OpenAsync();
        var sent = Bytes(100_000, 9);
        pair.Left.Write(sent);
        using var stream = new ReadAheadStream(pair.Right, 4096);
        var received = new byte[sent.Length];
        var at = 0;
        while (at < sent.Length)
        {
            at += stream.Read(received, at, Math.Min(1000, sent.Length - at));
        }
        Assert.Equal(sent, received);
    }

    [Fact]
    public async Task PeerShutsDown_AfterBufferedData_DataThenEndOfStream()
    {
        using var pair = await LinkStreamPair.OpenAsync();
        var sent = Bytes(5000, 2);
        await pair.Left.WriteAsync(sent);
        pair.Left.Socket.Shutdown(System.Net.Sockets.SocketShutdown.Send);
        using var stream = new ReadAheadStream(pair.Right);

        var received = await ReadExactlyAsync(stream, sent.Length, 100);

        Assert.Equal(sent, received);
        Assert.Equal(0, await stream.ReadAsync(new byte[100]));
        Assert.Equal(0, await stream.ReadAsync(new byte[100])); // and stays ended
    }

    [Fact]
    public async Task ZeroByteRead_Idle_WaitsForDataThenReportsIt()
    {
        using var pair = await LinkStreamPair.OpenAsync();
        using var stream = new ReadAheadStream(pair.Right);

        var wait = stream.ReadAsync(Memory<byte>.Empty).AsTask();
        await Task.Delay(50);
        Assert.False(wait.IsCompleted); // an idle link's zero-byte read waits, holding no buffer
        await pair.Left.WriteAsync(new byte[] { 1, 2, 3 });
        Assert.Equal(0, await wait.WaitAsync(TimeSpan.FromSeconds(10)));

        var received = await ReadExactlyAsync(stream, 3, 10);
        Assert.Equal(new byte[] { 1, 2, 3 }, received);
    }

    [Fact]
    public async Task Cancelled_WhileWaiting_ThrowsAndLaterDataStillArrives()
    {
        using var pair = await LinkStreamPair.OpenAsync();
        using var stream = new ReadAheadStream(pair.Right);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => _ = await stream.ReadAsync(new byte[100], cancel.Token));

        await pair.Left.WriteAsync(new byte[] { 7, 8 });
        Assert.Equal(new byte[] { 7, 8 }, await ReadExactlyAsync(stream, 2, 100).WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task ReaderAndWriterAtOnce_BothDirections_ArriveWhole()
    {
        using var pair = await LinkStreamPair.OpenAsync();
        using var left = new ReadAheadStream(pair.Left, 8192);
        using var right = new ReadAheadStream(pair.Right, 8192);
        var toRight = Bytes(2_000_000, 3);
        var toLeft = Bytes(2_000_000, 4);

        async Task SendAsync(Stream stream, byte[] bytes)
        {
            for (var at = 0; at < bytes.Length; at += 50_000)
            {
                await stream.WriteAsync(bytes.AsMemory(at, Math.Min(50_000, bytes.Length - at)));
            }
        }

        var sends = Task.WhenAll(Task.Run(() => SendAsync(left, toRight)), Task.Run(() => SendAsync(right, toLeft)));
        var reads = await Task.WhenAll(
            Task.Run(() => ReadExactlyAsync(right, toRight.Length, 3000)),
            Task.Run(() => ReadExactlyAsync(left, toLeft.Length, 5000))).WaitAsync(TimeSpan.FromSeconds(30));
        await sends;

        Assert.Equal(toRight, reads[0]);
        Assert.Equal(toLeft, reads[1]);
    }
}
