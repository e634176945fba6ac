using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Parley.Core.Traversal;

/// <summary>
/// The STUN Binding exchange (RFC 8489), as little of it as finding one's public address needs: a
/// request (20-byte header, no attributes) and a success response carrying XOR-MAPPED-ADDRESS, read and
/// written by the general STUN codec (<see cref="StunMessage"/>, <see cref="StunMessageBuilder"/>) that TURN uses too.
/// The hub answers it on its port number, so a node behind a NAT learns the address and port its
/// media socket is seen from, and any standard STUN server answers the same request.
/// <code>
/// header: type u16 (0x0001 request, 0x0101 success) | length u16 | magic cookie 0x2112A442 | transaction ID (12)
/// XOR-MAPPED-ADDRESS: type 0x0020 | length 8 | 0 | family 0x01 | port ^ 0x2112 | address ^ 0x2112A442
/// </code>
/// </summary>
public static class StunBinding
{
    public const int HeaderSize = StunMessage.HeaderSize;
    private const ushort Request = 0x0001;
    private const ushort Success = 0x0101;

    /// <summary>A new request and its transaction ID.</summary>
    public static (byte[] Request, byte[] TransactionId) CreateRequest()
    {
        var request = new StunMessageBuilder(Request);
        return (request.ToArray(), request.TransactionId.ToArray());
    }

    /// <summary>Whether <paramref name="datagram"/> is a Binding request (with no attributes: nothing else is asked of us).</summary>
    public static bool IsRequest(ReadOnlySpan<byte> datagram) =>
        datagram.Length == HeaderSize && StunMessage.TryParse(datagram, out var message) && message.Type == Request;

    /// <summary>Whether the first bytes look like STUN at all (so a socket that also carries media can tell them apart).</summary>
    public static bool LooksLikeStun(ReadOnlySpan<byte> datagram) =>
        datagram.Length >= HeaderSize && (datagram[0] & 0xC0) == 0 && BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]) == StunMessage.MagicCookie;

    /// <summary>The success response to <paramref name="request"/>: the address it came from.</summary>
    public static byte[] CreateResponse(ReadOnlySpan<byte> request, IPEndPoint from) =>
        new StunMessageBuilder(Success, request[8..HeaderSize], 32).AddXorAddress(StunAttribute.XorMappedAddress, from).ToArray();

    /// <summary>The mapped address in a success response to <paramref name="transactionId"/>; false for anything else.</summary>
    public static bool TryReadResponse(ReadOnlySpan<byte> datagram, ReadOnlySpan<byte> transactionId, out IPEndPoint mapped)
    {
        mapped = new IPEndPoint(IPAddress.None, 0);
        return StunMessage.TryParse(datagram, out var message) && message.Type == Success && message.TransactionId.SequenceEqual(transactionId)
            && message.TryGet(StunAttribute.XorMappedAddress, out var value) && StunAddress.TryReadXor(value, message.TransactionId, out mapped);
    }

    /// <summary>Asks <paramref name="server"/> from <paramref name="socket"/> (which nothing else reads meanwhile) for the address it sees; null on no answer.</summary>
    public static async Task<IPEndPoint?> AskAsync(Socket socket, IPEndPoint server, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var (request, id) = CreateRequest();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var buffer = new byte[512];
        try
        {
            await socket.SendToAsync(request, SocketFlags.None, server, deadline.Token).ConfigureAwait(false);
            while (true)
            {
                var received = await socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), deadline.Token).ConfigureAwait(false);
                if (TryReadResponse(buffer.AsSpan(0, received.ReceivedBytes), id, out var mapped))
                {
                    return mapped;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException)
        {
            return null;
        }
    }
}
