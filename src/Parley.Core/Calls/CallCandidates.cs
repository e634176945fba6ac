using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using Parley.Core.Protocol;

namespace Parley.Core.Calls;

/// <summary>
/// The addresses one side of a call can be reached at for media (its LAN addresses, and the public
/// address and port the hub saw its media socket from), sent inside the TLS link when the link is
/// relayed: both sides then send connectivity checks to every address of the other (which opens
/// their NATs towards each other) and the first check that arrives sealed with the call's key
/// decides the path.
/// <code>
/// CallCandidates: call ID u32 | count u8 (at most 8) | per address: IPv4 (4) | port u16
/// </code>
/// </summary>
public sealed record CallCandidates(uint CallId, IReadOnlyList<IPEndPoint> Addresses) : IWireMessage<CallCandidates>
{
    public const int MaxAddresses = 8;

    public static int MaxSize => 4 + 1 + MaxAddresses * 6;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out CallCandidates message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadU32(out var callId) || !reader.TryRead(out var count) || count > MaxAddresses || reader.Remaining != count * 6)
        {
            error = "truncated, more than 8 addresses, or a length that does not match";
            return false;
        }
        var addresses = new List<IPEndPoint>(count);
        for (var i = 0; i < count; i++)
        {
            reader.TryReadBytes(4, out var address);
            reader.TryReadU16(out var port);
            if (port == 0)
            {
                error = "an address with port 0";
                return false;
            }
            addresses.Add(new IPEndPoint(new IPAddress(address), port));
        }
        message = new CallCandidates(callId, addresses);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        var addresses = Addresses.Where(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork).Take(MaxAddresses).ToList();
        output.WriteU32(CallId);
        output.WriteU8((byte)addresses.Count);
        foreach (var address in addresses)
        {
            output.Write(address.Address.GetAddressBytes());
            output.WriteU16((ushort)address.Port);
        }
    }
}
