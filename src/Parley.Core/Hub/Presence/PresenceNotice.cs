using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Presence;

public enum PresenceKind : byte
{
    /// <summary>Already online when we joined (the snapshot a hub sends first).</summary>
    Here = 0,
    Joined = 1,
    Left = 2,
}

/// <summary>
/// Who is online at the hub, sent to every member as it changes.
/// <code>
/// Presence: kind u8 | device ID (32) | last seen i64 (Unix ms) | name length u8 | name
///           | address length u8 | address (UTF-8 "ip:port" as the hub sees the member, its listening port; may be empty)
/// </code>
/// </summary>
public sealed record PresenceNotice(PresenceKind Kind, DeviceId DeviceId, DateTimeOffset LastSeen, string Name, string Address = "")
    : IWireMessage<PresenceNotice>
{
    public const int MaxAddressBytes = 64;

    public static int MaxSize => 1 + DeviceId.Size + 8 + 1 + ProtocolLimits.MaxNameBytes + 1 + MaxAddressBytes;

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out PresenceNotice message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryRead(out var kind) || kind > (byte)PresenceKind.Left)
        {
            error = "unknown presence kind";
            return false;
        }
        if (!reader.TryReadDevice(out var device) || !reader.TryReadUnixMs(out var lastSeen)
            || !reader.TryReadText8(byte.MaxValue, out var name) || !reader.TryReadText8(byte.MaxValue, out var address)
            || reader.Remaining != 0)
        {
            error = "truncated, bad text or trailing bytes";
            return false;
        }
        message = new PresenceNotice((PresenceKind)kind, device, lastSeen, name, address);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        output.WriteU8((byte)Kind);
        output.WriteDevice(DeviceId);
        output.WriteUnixMs(LastSeen);
        output.WriteText8(Name, ProtocolLimits.MaxNameBytes);
        output.WriteText8(Address, MaxAddressBytes);
    }
}
