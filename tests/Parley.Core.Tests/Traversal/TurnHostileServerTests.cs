using System.Net;
using System.Net.Sockets;
using Parley.Core.Traversal;

namespace Parley.Core.Tests.Traversal;

/// <summary>
/// Hostile "servers" on loopback. One grants an allocation (no credentials asked), then floods the
/// client with random and mutated datagrams: the client's receive loop must survive every one and
/// still deliver a well-formed Data indication afterwards. Another asks for credentials, then answers
/// each Allocate twice — a forged success (integrity keyed with another password) naming another
/// relayed address, then the genuine one: the client must take the genuine one.
/// </summary>
public sealed class TurnHostileServerTests
{
    private static readonly IPEndPoint Genuine = new(IPAddress.Parse("192.0.2.1"), 49_000);
    private static readonly IPEndPoint Forged = new(IPAddress.Parse("203.0.113.66"), 49_001);
    private static readonly IPEndPoint Peer = new(IPAddress.Parse("192.0.2.44"), 5000);

    [Fact]
    public async Task RandomAndMutatedServerDatagrams_NeverBreakTheClient()
    {
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)server.LocalEndPoint!).Port;
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        IPEndPoint? client = null;
        var answering = Task.Run(async () =>
        {
            var buffer = new byte[2048];
            while (!stop.IsCancellationRequested)
            {
                var received = await server.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), stop.Token);
                client = (IPEndPoint)received.RemoteEndPoint;
                if (Answer(buffer.AsSpan(0, received.ReceivedBytes)) is { } answer)
                {
                    await server.SendToAsync(answer, SocketFlags.None, client, stop.Token);
                }
            }
        }, stop.Token);
        TurnServer.TryParse($"turn:127.0.0.1:{port}", "u", "p", out var turn, out _);
        await using var allocation = await TurnAllocation.AllocateAsync(turn!, new TurnOptions { InitialRto = TimeSpan.FromMilliseconds(100) });
        await allocation.PermitAsync(Peer, CancellationToken.None);

        var random = new Random(1717);
        var valid = new[] { DataIndication("valid"u8), ChannelData(0x4000, "valid"u8), Answer(new StunMessageBuilder(0x0009).ToArray())! };
        for (var i = 0; i < 20_000; i++)
        {
            byte[] datagram;
            if (i % 3 == 0)
            {
                datagram = new byte[random.Next(0, 120)];
                random.NextBytes(datagram);
            }
            else
            {
                datagram = (byte[])valid[i % valid.Length].Clone();
                for (var flips = random.Next(1, 4); flips > 0; flips--)
                {
                    datagram[random.Next(datagram.Length)] = (byte)random.Next(256);
                }
                datagram = datagram[..random.Next(datagram.Length + 1)];
            }
            await server.SendToAsync(datagram, SocketFlags.None, client!);
        }
        // The flood overruns the socket's buffer, so the marker is sent until it is seen (or 10 s pass).
        var marking = Task.Run(async () =>
        {
            for (var i = 0; i < 100 && !stop.IsCancellationRequested; i++)
            {
                await server.SendToAsync(DataIndication("the end"u8), SocketFlags.None, client!);
                await Task.Delay(100);
            }
        });

        var buffer = new byte[2048];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        for (var reads = 0; reads < 25_000; reads++)
        {
            var (from, length) = await allocation.ReceiveAsync(buffer, deadline.Token);
            Assert.Equal(Peer, from); // nothing from anyone else got through
            if (buffer.AsSpan(0, length).SequenceEqual("the end"u8))
            {
                await stop.CancelAsync();
                await marking;
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => answering);
                return;
            }
        }
        Assert.Fail("the last Data indication never arrived");
    }

    /// <summary>A success for every request (no credentials asked), with a relayed address for Allocate.</summary>
    private static byte[]? Answer(ReadOnlySpan<byte> request)
    {
        if (!StunMessage.TryParse(request, out var message) || (message.Type & 0x0110) != 0)
        {
            return null;
        }
        var response = new StunMessageBuilder((ushort)(message.Type | 0x0100), message.TransactionId);
        if (message.Type == 0x0003)
        {
            response.AddXorAddress(StunAttribute.XorRelayedAddress, Genuine).AddUInt32(StunAttribute.Lifetime, 600);
        }
        return response.ToArray();
    }

    private static byte[] DataIndication(ReadOnlySpan<byte> data) =>
        new StunMessageBuilder(0x0017).AddXorAddress(StunAttribute.XorPeerAddress, Peer).Add(StunAttribute.Data, data).ToArray();

    private static byte[] ChannelData(ushort channel, ReadOnlySpan<byte> data)
    {
        var bytes = new byte[4 + data.Length];
        TurnMessages.WriteChannelData(bytes, channel, data);
        return bytes;
    }

    [Fact]
    public async Task ForgedSuccess_IsIgnored_TheOneWithOurKeyIsTaken()
    {
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        server.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var serving = Task.Run(async () =>
        {
            var buffer = new byte[2048];
            while (!stop.IsCancellationRequested)
            {
                var received = await server.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), stop.Token);
                foreach (var answer in Answers(buffer[..received.ReceivedBytes]))
                {
                    await server.SendToAsync(answer, SocketFlags.None, received.RemoteEndPoint, stop.Token);
                }
            }
        }, stop.Token);
        TurnServer.TryParse($"turn:127.0.0.1:{((IPEndPoint)server.LocalEndPoint!).Port}", "user", "right", out var turn, out _);
        var allocation = await TurnAllocation.AllocateAsync(turn!, new TurnOptions { InitialRto = TimeSpan.FromMilliseconds(200) });
        Assert.Equal(Genuine, allocation.RelayedAddress);
        await allocation.DisposeAsync();
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => serving);
    }

    private static IEnumerable<byte[]> Answers(byte[] request)
    {
        if (!StunMessage.TryParse(request, out var message) || (message.Type & 0x0110) != 0)
        {
            return [];
        }
        var id = message.TransactionId.ToArray();
        var type = message.Type;
        if (!message.HasIntegrity)
        {
            return [new StunMessageBuilder((ushort)(type | 0x0110), id).Add(StunAttribute.ErrorCode, [0, 0, 4, 1]).Add(StunAttribute.Realm, "test")
                .Add(StunAttribute.Nonce, "n0nce").AddFingerprint().ToArray()];
        }
        byte[] Success(IPEndPoint relayed, string password) => new StunMessageBuilder((ushort)(type | 0x0100), id)
            .AddXorAddress(StunAttribute.XorRelayedAddress, relayed).AddUInt32(StunAttribute.Lifetime, 600)
            .AddIntegrity(StunIntegrity.LongTermKey("user", "test", password)).AddFingerprint().ToArray();
        return [Success(Forged, "wrong"), Success(Genuine, "right")];
    }
}
