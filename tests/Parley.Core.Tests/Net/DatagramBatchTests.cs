using System.Net;
using System.Net.Sockets;
using Parley.Core.Net;
using Xunit;

namespace Parley.Core.Tests.Net;

/// <summary>The batched sends a forwarder uses: every datagram reaches its own address, byte for byte, in order, over real sockets.</summary>
public sealed class DatagramBatchTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Each_datagram_reaches_its_own_address_intact_and_in_order()
    {
        using var from = Bound(AddressFamily.InterNetwork);
        using var a = Bound(AddressFamily.InterNetwork);
        using var b = Bound(AddressFamily.InterNetwork);
        var batch = DatagramBatch.ForThisThread;
        for (var i = 0; i < 10; i++)
        {
            var to = i % 2 == 0 ? a : b;
            var length = 1 + (i * 137);
            var slot = batch.Reserve(length);
            slot.Fill((byte)i);
            batch.Add(from, to.LocalEndPoint!.Serialize(), length);
        }
        Assert.Equal(10, batch.Count);
        batch.Flush();
        Assert.Equal(0, batch.Count);
        for (var i = 0; i < 10; i++)
        {
            var datagram = await ReceiveAsync(i % 2 == 0 ? a : b);
            Assert.Equal(1 + (i * 137), datagram.Length);
            Assert.All(datagram, x => Assert.Equal((byte)i, x));
        }
    }

    [Fact]
    public async Task A_full_batch_sends_itself_and_goes_on_and_sockets_of_both_families_mix()
    {
        using var from4 = Bound(AddressFamily.InterNetwork);
        using var from6 = Bound(AddressFamily.InterNetworkV6);
        using var to4 = Bound(AddressFamily.InterNetwork);
        using var to6 = Bound(AddressFamily.InterNetworkV6);
        to4.ReceiveBufferSize = to6.ReceiveBufferSize = 1 << 20;
        var batch = DatagramBatch.ForThisThread;
        var total = DatagramBatch.Capacity + 6;
        for (var i = 0; i < total; i++)
        {
            var six = i % 3 == 0;
            var slot = batch.Reserve(4);
            BitConverter.TryWriteBytes(slot, i);
            batch.Add(six ? from6 : from4, (six ? to6 : to4).LocalEndPoint!.Serialize(), 4);
        }
        Assert.Equal(6, batch.Count); // the first 64 went when the 65th was reserved
        batch.Flush();
        for (var i = 0; i < total; i++)
        {
            var datagram = await ReceiveAsync(i % 3 == 0 ? to6 : to4);
            Assert.Equal(i, BitConverter.ToInt32(datagram));
        }
    }

    [Fact]
    public async Task A_datagram_the_kernel_refuses_is_skipped_and_the_rest_still_go()
    {
        using var from = Bound(AddressFamily.InterNetwork);
        using var to = Bound(AddressFamily.InterNetwork);
        // Broadcast without SO_BROADCAST: the kernel refuses that one datagram (EACCES), in the middle of the batch.
        var refused = new IPEndPoint(IPAddress.Broadcast, ((IPEndPoint)to.LocalEndPoint!).Port).Serialize();
        var batch = DatagramBatch.ForThisThread;
        for (var i = 0; i < 5; i++)
        {
            BitConverter.TryWriteBytes(batch.Reserve(4), i);
            batch.Add(from, i == 2 ? refused : to.LocalEndPoint!.Serialize(), 4);
        }
        batch.Flush();
        foreach (var expected in new[] { 0, 1, 3, 4 })
        {
            Assert.Equal(expected, BitConverter.ToInt32(await ReceiveAsync(to)));
        }
    }

    [Fact]
    public void A_datagram_larger_than_a_slot_is_refused_before_anything_is_written()
    {
        var batch = DatagramBatch.ForThisThread;
        Assert.Throws<ArgumentOutOfRangeException>(() => batch.Reserve(DatagramBatch.SlotSize + 1));
        Assert.Equal(0, batch.Count);
    }

    [Fact]
    public void A_closed_socket_loses_its_datagrams_without_throwing()
    {
        var from = Bound(AddressFamily.InterNetwork);
        using var to = Bound(AddressFamily.InterNetwork);
        var batch = DatagramBatch.ForThisThread;
        batch.Reserve(8);
        batch.Add(from, to.LocalEndPoint!.Serialize(), 8);
        from.Dispose();
        batch.Flush();
        Assert.Equal(0, batch.Count);
    }

    private static Socket Bound(AddressFamily family)
    {
        var socket = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
        socket.Bind(new IPEndPoint(family == AddressFamily.InterNetworkV6 ? IPAddress.IPv6Loopback : IPAddress.Loopback, 0));
        return socket;
    }

    private static async Task<byte[]> ReceiveAsync(Socket socket)
    {
        var buffer = new byte[DatagramBatch.SlotSize];
        using var timeout = new CancellationTokenSource(Wait);
        var length = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        return buffer[..length];
    }
}
