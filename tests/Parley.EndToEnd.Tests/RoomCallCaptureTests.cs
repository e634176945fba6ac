using System.Buffers;
using System.Diagnostics;
using System.Net.WebSockets;
using Parley.Core.Calls;
using Parley.Testing;
using Xunit.Abstractions;

namespace Parley.EndToEnd.Tests;

/// <summary>
/// Issue 18, "the hub never sees a frame's plaintext": a <c>parley hub</c> process alone in a network
/// namespace, three <c>parley up</c> processes in a room call through it; alice's page channel sends
/// audio and video frames full of a marker, bob's and carol's page channels get the marker back, and a
/// tcpdump of every packet the hub received and sent holds no marker. Once with the hub's UDP port for
/// the call's packets, once with that port taken so that everything rides the hub's TLS links (the
/// fallback); the packet counts show which path was taken.
/// </summary>
public sealed class RoomCallCaptureTests(ITestOutputHelper output) : IDisposable
{
    private static readonly byte[] Marker = "PARLEY-PLAINTEXT-MARKER-4b1d93"u8.ToArray();

    /// <summary>Sent to the hub's port in the clear by the test itself: the capture must find it, or it proves nothing.</summary>
    private static readonly byte[] Control = "PARLEY-CONTROL-IN-THE-CLEAR-77e0"u8.ToArray();
    private readonly string _root = Directory.CreateTempSubdirectory("parley-room-call-capture-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task MarkedFrames_ReachTheOthers_ButNoPacketTheHubSendsOrReceivesHoldsTheMarker(bool udp)
    {
        using var ns = HubNamespace.Create();
        var port = 20_000 + (Environment.ProcessId % 20_000);
        using var held = udp ? null : ns.HoldUdpPort(port);
        var pcap = Path.Combine(_root, "hub.pcap");
        var capture = await PacketCapture.StartAsync(ns.Name, pcap);
        var reached = new int[2];
        try
        {
            await using var cluster = await RoomCluster.StartAsync(ParleyRunner.InNamespace(ns.Name), _root, ["alice", "bob", "carol"], ["--port", $"{port}"]);
            var (alice, bob, carol) = (cluster["alice"], cluster["bob"], cluster["carol"]);
            await cluster.CreateAsync(alice, "team");
            await cluster.JoinAsync(alice, bob, "team");
            await cluster.JoinAsync(alice, carol, "team");
            foreach (var node in new[] { bob, carol, alice })
            {
                await node.PostAsync("api/rooms/%23team/call", new { video = true });
            }
            using var sender = await alice.OpenSocketAsync("api/rooms/%23team/call/media");
            using var toBob = await bob.OpenSocketAsync("api/rooms/%23team/call/media");
            using var toCarol = await carol.OpenSocketAsync("api/rooms/%23team/call/media");
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            var receiving = new[] { CountMarkedAsync(toBob, reached, 0, stop.Token), CountMarkedAsync(toCarol, reached, 1, stop.Token) };

            // 50 audio frames a second (200 bytes) and a video keyframe every third tick (5,000 bytes: split into parts),
            // each all marker, until both others have had 50 marked frames.
            var (audio, video) = (Marked(200), Marked(5_000));
            var writer = new ArrayBufferWriter<byte>();
            var clock = Stopwatch.StartNew();
            var sent = 0;
            while ((Volatile.Read(ref reached[0]) < 50 || Volatile.Read(ref reached[1]) < 50) && !stop.IsCancellationRequested)
            {
                var timestamp = (uint)(clock.Elapsed.TotalSeconds * 48_000);
                await SendAsync(sender, writer, new PageFrame(StreamKind.Audio, false, 16, timestamp, audio));
                if (sent++ % 3 == 0)
                {
                    await SendAsync(sender, writer, new PageFrame(StreamKind.Video, true, 1, (uint)(clock.Elapsed.TotalSeconds * 90_000), video));
                }
                await Task.Delay(20);
            }
            output.WriteLine($"{sent} ticks sent in {clock.ElapsedMilliseconds} ms; marked frames reached bob {reached[0]}, carol {reached[1]}");
            Assert.True(reached[0] >= 50 && reached[1] >= 50, $"the marked frames did not reach the others (bob {reached[0]}, carol {reached[1]})\n{cluster.Logs()}");
            await stop.CancelAsync();
            await Task.WhenAll(receiving);
            using (var clear = new System.Net.Sockets.UdpClient())
            {
                await clear.SendAsync(Control, new System.Net.IPEndPoint(System.Net.IPAddress.Parse(ns.Address), port));
            }
            await Task.Delay(500); // the last packets into the capture
        }
        finally
        {
            await capture.DisposeAsync();
        }

        var bytes = await File.ReadAllBytesAsync(pcap);
        var (udpPackets, tcpPackets) = (await capture.CountAsync("udp"), await capture.CountAsync("tcp"));
        output.WriteLine($"capture: {bytes.Length} bytes, {udpPackets} UDP and {tcpPackets} TCP packets");
        Assert.True(bytes.AsSpan().IndexOf(Control) >= 0, "the capture missed the control datagram sent in the clear: it cannot show what the hub saw");
        Assert.True(bytes.AsSpan().IndexOf(Marker) < 0, "the hub's packets hold the marker: a frame's plaintext crossed the hub");
        if (udp)
        {
            Assert.True(udpPackets >= 300, $"only {udpPackets} UDP packets at the hub: the frames did not take UDP");
        }
        else
        {
            Assert.True(udpPackets < 30 && tcpPackets >= 300, $"{udpPackets} UDP and {tcpPackets} TCP packets at the hub: the frames did not take the TLS links");
        }
        // The capture is whole: more bytes crossed the hub than alice's marked frames alone make, forwarded to two.
        Assert.True(bytes.Length > 2 * 50 * 200, $"the capture holds only {bytes.Length} bytes");
    }

    private static byte[] Marked(int size)
    {
        var data = new byte[size];
        for (var at = 0; at < size; at += Marker.Length)
        {
            Marker.AsSpan(0, Math.Min(Marker.Length, size - at)).CopyTo(data.AsSpan(at));
        }
        return data;
    }

    private static async Task SendAsync(WebSocket socket, ArrayBufferWriter<byte> writer, PageFrame frame)
    {
        writer.ResetWrittenCount();
        frame.Write(writer);
        await socket.SendAsync(writer.WrittenMemory, WebSocketMessageType.Binary, true, CancellationToken.None);
    }

    /// <summary>Counts binary messages (<c>participant u16 | level u8 | page frame</c>) that hold the marker, until cancelled.</summary>
    private static async Task CountMarkedAsync(WebSocket socket, int[] counts, int index, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 20];
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult received;
                do
                {
                    received = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
                    length += received.Count;
                }
                while (!received.EndOfMessage);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
                if (received.MessageType == WebSocketMessageType.Binary && buffer.AsSpan(0, length).IndexOf(Marker) >= 0)
                {
                    Interlocked.Increment(ref counts[index]);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
        }
    }
}
