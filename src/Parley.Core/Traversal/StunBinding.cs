using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;

namespace Parley.Core.Traversal;

/// <summary>
/// The STUN Binding exchange (RFC 8489), as little of it as finding one's public address needs: a
/// request (20-byte header, no attributes) and a success response carrying XOR-MAPPED-ADDRESS (IPv4).
/// The hub answers it on its port number, so a node behind a NAT learns the address and port its
/// media socket is seen from, and any standard STUN server answers the same request.
/// <code>
/// header: type u16 (0x0001 request, 0x0101 success) | length u16 | magic cookie 0x2112A442 | transaction ID (12)
/// XOR-MAPPED-ADDRESS: type 0x0020 | length 8 | 0 | family 0x01 | port ^ 0x2112 | address ^ 0x2112A442
/// </code>
/// </summary>
public static class StunBinding
{
    public const int HeaderSize = 20;
    public const int ResponseSize = HeaderSize + 12;
    private const ushort Request = 0x0001;
    private const ushort Success = 0x0101;
    private const ushort XorMappedAddress = 0x0020;
    private const uint MagicCookie = 0x2112A442;

    /// <summary>A new request and its transaction ID.</summary>
    public static (byte[] Request, byte[] TransactionId) CreateRequest()
    {
        var request = new byte[HeaderSize];
        BinaryPrimitives.WriteUInt16BigEndian(request, Request);
        BinaryPrimitives.WriteUInt32BigEndian(request.AsSpan(4), MagicCookie);
        var id = RandomNumberGenerator.GetBytes(12);
        id.CopyTo(request, 8);
        return (request, id);
    }

    /// <summary>Whether <paramref name="datagram"/> is a Binding request (with no attributes: nothing else is asked of us).</summary>
    public static bool IsRequest(ReadOnlySpan<byte> datagram) =>
        datagram.Length == HeaderSize && BinaryPrimitives.ReadUInt16BigEndian(datagram) == Request
        && BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]) == 0 && BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]) == MagicCookie;

    /// <summary>Whether the first bytes look like STUN at all (so a socket that also carries media can tell them apart).</summary>
    public static bool LooksLikeStun(ReadOnlySpan<byte> datagram) =>
        datagram.Length >= HeaderSize && (datagram[0] & 0xC0) == 0 && BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]) == MagicCookie;

    /// <summary>The success response to <paramref name="request"/>: the address it came from.</summary>
    public static byte[] CreateResponse(ReadOnlySpan<byte> request, IPEndPoint from)
    {
        var response = new byte[ResponseSize];
        BinaryPrimitives.WriteUInt16BigEndian(response, Success);
        BinaryPrimitives.WriteUInt16BigEndian(response.AsSpan(2), 12);
        request[4..HeaderSize].CopyTo(response.AsSpan(4)); // cookie and transaction ID
        BinaryPrimitives.WriteUInt16BigEndian(response.AsSpan(20), XorMappedAddress);
        BinaryPrimitives.WriteUInt16BigEndian(response.AsSpan(22), 8);
        response[25] = 0x01;
        BinaryPrimitives.WriteUInt16BigEndian(response.AsSpan(26), (ushort)(from.Port ^ (MagicCookie >> 16)));
        var address = from.Address.IsIPv4MappedToIPv6 ? from.Address.MapToIPv4() : from.Address;
        BinaryPrimitives.WriteUInt32BigEndian(response.AsSpan(28), BinaryPrimitives.ReadUInt32BigEndian(address.GetAddressBytes()) ^ MagicCookie);
        return response;
    }

    /// <summary>The mapped address in a success response to <paramref name="transactionId"/>; false for anything else.</summary>
    public static bool TryReadResponse(ReadOnlySpan<byte> datagram, ReadOnlySpan<byte> transactionId, out IPEndPoint mapped)
    {
        mapped = new IPEndPoint(IPAddress.None, 0);
        if (datagram.Length < HeaderSize || BinaryPrimitives.ReadUInt16BigEndian(datagram) != Success
            || BinaryPrimitives.ReadUInt32BigEndian(datagram[4..]) != MagicCookie || !datagram[8..HeaderSize].SequenceEqual(transactionId))
        {
            return false;
        }
        var length = BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]);
        var attributes = datagram[HeaderSize..Math.Min(datagram.Length, HeaderSize + length)];
        while (attributes.Length >= 4)
        {
            var type = BinaryPrimitives.ReadUInt16BigEndian(attributes);
            var size = BinaryPrimitives.ReadUInt16BigEndian(attributes[2..]);
            if (attributes.Length < 4 + size)
            {
                return false;
            }
            if (type == XorMappedAddress && size == 8 && attributes[5] == 0x01)
            {
                var port = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(attributes[6..]) ^ (MagicCookie >> 16));
                var address = BinaryPrimitives.ReadUInt32BigEndian(attributes[8..]) ^ MagicCookie;
                Span<byte> bytes = stackalloc byte[4];
                BinaryPrimitives.WriteUInt32BigEndian(bytes, address);
                mapped = new IPEndPoint(new IPAddress(bytes), port);
                return true;
            }
            attributes = attributes[Math.Min(attributes.Length, 4 + ((size + 3) & ~3))..]; // the last one's padding may be cut off
        }
        return false;
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
