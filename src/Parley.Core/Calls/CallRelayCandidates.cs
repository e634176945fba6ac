using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using Parley.Core.Protocol;

namespace Parley.Core.Calls;

/// <summary>A relayed address one side of a call holds: peers send there to reach it. <see cref="Kind"/> is "hub-udp" or "turn".</summary>
public sealed record RelayCandidate(string Kind, IPEndPoint Address);

/// <summary>
/// The relayed addresses one side of a call holds (its hub's UDP relay, TURN servers), sent over the
/// link once allocated, after the direct <see cref="CallCandidates"/> (which go out without waiting
/// for a relay). The other side checks them like any candidate; a path through one is used only while
/// no direct one works.
/// <code>
/// CallRelayCandidates: call ID u32 | count u8 (1 to 4) | per relay: kind u8 (1 hub-udp, 2 turn) | IPv4 (4) | port u16
/// </code>
/// </summary>
public sealed record CallRelayCandidates(uint CallId, IReadOnlyList<RelayCandidate> Relays) : IWireMessage<CallRelayCandidates>
{
    public const int MaxRelays = 4;
    public const string HubUdp = "hub-udp";
    public const string Turn = "turn";

    public static int MaxSize => 4 + 1 + MaxRelays * 7;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out CallRelayCandidates message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadU32(out var callId) || !reader.TryRead(out var count) || count is 0 or > MaxRelays || reader.Remaining != count * 7)
        {
            error = "truncated, not 1 to 4 relays, or a length that does not match";
            return false;
        }
        var relays = new List<RelayCandidate>(count);
        for (var i = 0; i < count; i++)
        {
            reader.TryRead(out var kind);
            reader.TryReadBytes(4, out var address);
            reader.TryReadU16(out var port);
            if (kind is not (1 or 2) || port == 0)
            {
                error = "a relay of an unknown kind, or with port 0";
                return false;
            }
            relays.Add(new RelayCandidate(kind == 1 ? HubUdp : Turn, new IPEndPoint(new IPAddress(address), port)));
        }
        message = new CallRelayCandidates(callId, relays);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        var relays = Relays.Where(r => r.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork).Take(MaxRelays).ToList();
        output.WriteU32(CallId);
        output.WriteU8((byte)relays.Count);
        foreach (var relay in relays)
        {
            output.WriteU8(relay.Kind == HubUdp ? (byte)1 : (byte)2);
            output.Write(relay.Address.Address.GetAddressBytes());
            output.WriteU16((ushort)relay.Address.Port);
        }
    }
}
