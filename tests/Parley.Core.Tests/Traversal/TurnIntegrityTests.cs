using System.Net;
using System.Net.Sockets;
using Parley.Core.Traversal;

namespace Parley.Core.Tests.Traversal;

/// <summary>
/// A response to an authenticated request counts only with a MESSAGE-INTEGRITY made with our key: a
/// "server" on loopback asks for credentials (401), then answers each Allocate twice — first a forged
/// success (integrity keyed with another password) naming another relayed address, then the genuine
/// one. The client must take the genuine one.
/// </summary>
public sealed class TurnIntegrityTests
{
    private static readonly IPEndPoint Genuine = new(IPAddress.Parse("192.0.2.1"), 49_000);
    private static readonly IPEndPoint Forged = new(IPAddress.Parse("203.0.113.66"), 49_001);

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
