using System.Net;
using System.Net.Sockets;

namespace Parley.Core.Tests.Links;

/// <summary>Two ends of a real loopback TCP connection, as network streams, for the streams under a link's TLS.</summary>
internal sealed class LinkStreamPair : IDisposable
{
    private LinkStreamPair(NetworkStream left, NetworkStream right)
    {
        Left = left;
        Right = right;
    }

    public NetworkStream Left { get; }

    public NetworkStream Right { get; }

    public static async Task<LinkStreamPair> OpenAsync()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        var accept = listener.AcceptAsync();
        await client.ConnectAsync(listener.LocalEndPoint!);
        var server = await accept;
        return new LinkStreamPair(new NetworkStream(client, ownsSocket: true), new NetworkStream(server, ownsSocket: true));
    }

    public void Dispose()
    {
        Left.Dispose();
        Right.Dispose();
    }
}

/// <summary>Counts the reads and writes that reach the stream it wraps (the system calls a link would make).</summary>
internal sealed class CountingStream(Stream inner) : Stream
{
    public int Reads { get; private set; }

    public int Writes { get; private set; }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override ValueTask<int> ReadAsync(Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        Reads++;
        return inner.ReadAsync(destination, cancellationToken);
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        Reads++;
        return inner.Read(buffer, offset, count);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> source, CancellationToken cancellationToken = default)
    {
        Writes++;
        return inner.WriteAsync(source, cancellationToken);
    }

    public override void Write(byte[] buffer, int offset, int count)
    {
        Writes++;
        inner.Write(buffer, offset, count);
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override void Flush() => inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }
        base.Dispose(disposing);
    }
}
