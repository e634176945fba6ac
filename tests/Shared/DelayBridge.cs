using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Parley.Testing;

/// <summary>
/// A user-space wire with a delay: every Ethernet frame arriving on one interface is sent out of
/// the other <c>oneWay</c> later, both ways, through raw packet sockets. It stands in for
/// <c>tc qdisc … netem delay</c>, which this kernel lacks: the namespaces on either side see one
/// LAN with a longer wire and keep their own addresses (so a node's UDP and TCP take the same path).
/// </summary>
public sealed class DelayBridge : IDisposable
{
    private const ushort AllProtocols = 0x0003; // ETH_P_ALL
    private const int SolPacket = 263;
    private const int PacketIgnoreOutgoing = 23; // frames we send are not read back as arrivals
    private readonly Socket[] _sockets;
    private readonly List<Thread> _threads = [];
    private readonly List<BlockingCollection<(long Due, byte[] Frame)>> _queues = [];
    private readonly long _delayTicks;
    private long _forwarded;

    public DelayBridge(string left, string right, TimeSpan oneWay)
    {
        _delayTicks = (long)(oneWay.TotalSeconds * Stopwatch.Frequency);
        _sockets = [Open(left), Open(right)];
        Forward(_sockets[0], _sockets[1], $"{left}>{right}");
        Forward(_sockets[1], _sockets[0], $"{right}>{left}");
    }

    /// <summary>Frames carried so far, both ways.</summary>
    public long Forwarded => Interlocked.Read(ref _forwarded);

    private static Socket Open(string device)
    {
        var socket = new Socket(AddressFamily.Packet, SocketType.Raw, (ProtocolType)BinaryPrimitives.ReverseEndianness(AllProtocols));
        socket.Bind(new LinkLayerEndPoint(int.Parse(File.ReadAllText($"/sys/class/net/{device}/ifindex"), System.Globalization.CultureInfo.InvariantCulture)));
        socket.SetRawSocketOption(SolPacket, PacketIgnoreOutgoing, BitConverter.GetBytes(1));
        socket.ReceiveBufferSize = 4 << 20;
        return socket;
    }

    private void Forward(Socket from, Socket to, string name)
    {
        var queue = new BlockingCollection<(long Due, byte[] Frame)>(boundedCapacity: 100_000);
        _queues.Add(queue);
        Start($"{name} in", () =>
        {
            var buffer = new byte[65_536];
            while (true)
            {
                int length;
                try
                {
                    length = from.Receive(buffer);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    return;
                }
                try
                {
                    // Frames beyond the queue's bound are dropped, as a full router queue would.
                    queue.TryAdd((Stopwatch.GetTimestamp() + _delayTicks, buffer.AsSpan(0, length).ToArray()));
                }
                catch (InvalidOperationException)
                {
                    return; // the bridge is closing
                }
            }
        });
        Start($"{name} out", () =>
        {
            foreach (var (due, frame) in queue.GetConsumingEnumerable())
            {
                WaitUntil(due);
                try
                {
                    to.Send(frame);
                    Interlocked.Increment(ref _forwarded);
                }
                catch (SocketException)
                {
                    // A frame the interface refuses (too big, link down) is lost, as on a wire.
                }
                catch (ObjectDisposedException)
                {
                    return;
                }
            }
        });
    }

    /// <summary>
    /// Sleeps until a frame is due, rounding up to the next millisecond: a frame leaves at most about a
    /// millisecond late and never early. (Spinning for the last millisecond instead kept a core busy
    /// while media flowed, and the call tests' ffmpeg fell behind on a two-core machine.)
    /// </summary>
    private static void WaitUntil(long due)
    {
        var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), due);
        if (left > TimeSpan.Zero)
        {
            Thread.Sleep((int)Math.Ceiling(left.TotalMilliseconds));
        }
    }

    private void Start(string name, Action body)
    {
        var thread = new Thread(() => body()) { IsBackground = true, Name = name };
        _threads.Add(thread);
        thread.Start();
    }

    public void Dispose()
    {
        foreach (var queue in _queues)
        {
            queue.CompleteAdding();
        }
        foreach (var socket in _sockets)
        {
            socket.Dispose();
        }
        foreach (var thread in _threads)
        {
            thread.Join(TimeSpan.FromSeconds(2));
        }
    }

    /// <summary>A <c>sockaddr_ll</c> naming one interface, for binding a packet socket to it.</summary>
    private sealed class LinkLayerEndPoint(int interfaceIndex) : EndPoint
    {
        public override AddressFamily AddressFamily => AddressFamily.Packet;

        public override SocketAddress Serialize()
        {
            var address = new SocketAddress(AddressFamily.Packet, 20);
            var bytes = address.Buffer.Span;
            BinaryPrimitives.WriteUInt16BigEndian(bytes[2..], AllProtocols);
            BinaryPrimitives.WriteInt32LittleEndian(bytes[4..], interfaceIndex);
            return address;
        }

        public override EndPoint Create(SocketAddress socketAddress) => this;
    }
}
