using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Parley.Core.Traversal.PortMapping;

namespace Parley.Core.Tests.Traversal.PortMapping;

/// <summary>Against a NAT-PMP-only gateway on a loopback address (real UDP on port 5351): PCP learns to fall back.</summary>
public sealed class GatewayFallbackTests
{
    [Fact]
    public async Task AGatewayThatSpeaksOnlyNatPmp_AnswersPcpWithUnsupportedVersion_AndNatPmpMaps()
    {
        var gateway = IPAddress.Parse("127.77.0.1");
        using var server = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        server.Bind(new IPEndPoint(gateway, 5351));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var serving = ServeNatPmpOnlyAsync(server, stop.Token);

        var found = await RouterMapping.FirstAsync(gateway, MappedProtocol.Tcp, 5000, TimeSpan.FromHours(2), MappingMethods.Pcp | MappingMethods.NatPmp, stop.Token);

        Assert.NotNull(found);
        Assert.Equal("NAT-PMP", found.Value.Mapper.Method);
        Assert.Equal(IPEndPoint.Parse("198.51.100.7:5001"), found.Value.Port.External);
        Assert.Equal(TimeSpan.FromSeconds(3600), found.Value.Port.Lifetime);
        await stop.CancelAsync();
        await serving;
    }

    [Fact]
    public async Task NoServerAtTheGateway_IsNoMapping_Soon()
    {
        var started = DateTime.UtcNow;
        var found = await RouterMapping.FirstAsync(IPAddress.Parse("127.77.0.2"), MappedProtocol.Tcp, 5000, TimeSpan.FromHours(2), MappingMethods.Pcp | MappingMethods.NatPmp, CancellationToken.None);
        Assert.Null(found);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(3)); // ICMP unreachable, or three short waits at most
    }

    /// <summary>Answers as an RFC 6886 server that predates PCP: version 0 only, mapping port N to N + 1.</summary>
    private static async Task ServeNatPmpOnlyAsync(Socket server, CancellationToken cancellationToken)
    {
        var buffer = new byte[1100];
        try
        {
            while (true)
            {
                var received = await server.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), cancellationToken);
                var request = buffer.AsSpan(0, received.ReceivedBytes).ToArray();
                byte[] reply = request switch
                {
                    [not 0, var op, ..] => [0, (byte)(op | 0x80), 0, 1, 0, 0, 0, 9],
                    [0, 0] => [0, 128, 0, 0, 0, 0, 0, 9, 198, 51, 100, 7],
                    [0, var op, _, _, var hi, var lo, ..] when request.Length == 12 => MapReply(op, (hi << 8) | lo),
                    _ => [],
                };
                await server.SendToAsync(reply, SocketFlags.None, received.RemoteEndPoint, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static byte[] MapReply(byte op, int internalPort)
    {
        var reply = new byte[16];
        reply[1] = (byte)(op | 0x80);
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(8), (ushort)internalPort);
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(10), (ushort)(internalPort + 1));
        BinaryPrimitives.WriteUInt32BigEndian(reply.AsSpan(12), 3600);
        return reply;
    }
}
