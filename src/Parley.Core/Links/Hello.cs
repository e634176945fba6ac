using System.Buffers;
using System.Buffers.Binary;
using Parley.Core.Identity;

using System.Diagnostics.CodeAnalysis;
using Parley.Core.Protocol;

namespace Parley.Core.Links;

/// <summary>Capability bits of a hello.</summary>
public static class HelloCapabilities
{
    /// <summary>The sender is a hub, not a node: it never chats or takes files.</summary>
    public const uint Hub = 1;

    /// <summary>The sender takes PunchOffer and PunchAnswer: a relayed link to it may try TCP simultaneous open.</summary>
    public const uint Punch = 2;
    /// <summary>A hub that takes <see cref="Protocol.FrameType.ReachableAt"/> (older hubs would close the link on it).</summary>
    public const uint TakesReachableAt = 4;
}

[Flags]
public enum HelloFlags : byte
{
    None = 0,

    /// <summary>The sender holds the receiver as an accepted contact.</summary>
    Contact = 1,
}

/// <summary>
/// The first frame each side sends after the TLS handshake (version negotiation and who we are).
/// <code>
/// magic "PRLY" (4) | version u16 | device ID (32) | capabilities u32 | listen port u16
/// | flags u8 | name length u8 | name (UTF-8, at most 64 bytes)
/// </code>
/// The device ID must equal the one proven by the TLS certificate.
/// </summary>
public sealed record Hello(ushort Version, DeviceId DeviceId, uint Capabilities, ushort ListenPort, HelloFlags Flags, string Name) : IWireMessage<Hello>
{
    public const ushort CurrentVersion = 1;
    public const ushort MinSupportedVersion = 1;
    public const int FixedSize = 4 + 2 + DeviceId.Size + 4 + 2 + 1 + 1;
    public static int MaxSize => FixedSize + ProtocolLimits.MaxNameBytes;
    private static ReadOnlySpan<byte> Magic => "PRLY"u8;

    public void Write(IBufferWriter<byte> output)
    {
        var name = PayloadText.Truncate(Name, ProtocolLimits.MaxNameBytes);
        var span = output.GetSpan(FixedSize + name.Length);
        Magic.CopyTo(span);
        BinaryPrimitives.WriteUInt16BigEndian(span[4..], Version);
        DeviceId.Bytes.CopyTo(span[6..]);
        BinaryPrimitives.WriteUInt32BigEndian(span[38..], Capabilities);
        BinaryPrimitives.WriteUInt16BigEndian(span[42..], ListenPort);
        span[44] = (byte)Flags;
        span[45] = (byte)name.Length;
        name.CopyTo(span[46..]);
        output.Advance(FixedSize + name.Length);
    }

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out Hello hello, out string error)
    {
        hello = null;
        if (payload.Length < FixedSize || payload.Length > MaxSize)
        {
            error = $"hello of {payload.Length} bytes; expected {FixedSize} to {MaxSize}";
            return false;
        }
        Span<byte> span = stackalloc byte[(int)payload.Length];
        payload.CopyTo(span);
        if (!span[..4].SequenceEqual(Magic))
        {
            error = "hello does not start with PRLY: not a Parley peer";
            return false;
        }
        var version = BinaryPrimitives.ReadUInt16BigEndian(span[4..]);
        if (version < MinSupportedVersion)
        {
            error = $"protocol version {version} is older than the oldest supported ({MinSupportedVersion})";
            return false;
        }
        var nameLength = span[45];
        if (nameLength > ProtocolLimits.MaxNameBytes || FixedSize + nameLength != span.Length)
        {
            error = $"hello name length {nameLength} does not match the frame";
            return false;
        }
        if (!PayloadText.TryDecode(span[46..], out var name))
        {
            error = "hello name is not valid UTF-8";
            return false;
        }
        hello = new Hello(
            version,
            new DeviceId(span.Slice(6, DeviceId.Size)),
            BinaryPrimitives.ReadUInt32BigEndian(span[38..]),
            BinaryPrimitives.ReadUInt16BigEndian(span[42..]),
            (HelloFlags)span[44],
            name);
        error = "";
        return true;
    }
}
