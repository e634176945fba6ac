using System.Net;
using System.Net.Sockets;
using Parley.Core.Net;

namespace Parley.Bench.RoomCalls;

/// <summary>
/// The floor the hub's forwarding unit is measured against: a process that forwards every UDP datagram
/// to every other address it has heard from, with no checks, keys or state beyond that list. It receives
/// and sends the way the hub's UDP port does: one thread blocked in recvfrom (as <c>DatagramThread</c>), a
/// synchronous send per receiver; or, with <c>--batched</c>, every copy of a datagram in one <c>sendmmsg</c>
/// (<c>DatagramBatch</c>, as the hub sends them), the floor for the hub's batched sends.
/// </summary>
internal static class BareForwarder
{
    public static Task<int> RunAsync(bool batched)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        Console.WriteLine($"port {((IPEndPoint)socket.LocalEndPoint!).Port}");
        Console.WriteLine("ready");
        var known = new Dictionary<IPEndPoint, SocketAddress>(); // every address heard from, serialized once for the batch
        var buffer = new byte[2048];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (true)
        {
            var sender = any;
            var length = socket.ReceiveFrom(buffer, SocketFlags.None, ref sender);
            var from = (IPEndPoint)sender;
            if (!known.ContainsKey(from))
            {
                known[from] = from.Serialize();
            }
            var packet = buffer.AsSpan(0, length);
            var batch = DatagramBatch.ForThisThread;
            foreach (var (to, address) in known)
            {
                if (to.Equals(from))
                {
                    continue;
                }
                if (batched)
                {
                    packet.CopyTo(batch.Reserve(length));
                    batch.Add(socket, address, length);
                }
                else
                {
                    socket.SendTo(packet, SocketFlags.None, to);
                }
            }
            batch.Flush();
        }
    }
}
