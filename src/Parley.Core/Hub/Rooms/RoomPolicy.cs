using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Rooms;

/// <summary>
/// Who decides about a room, signed by one who may: whether anyone on the hub may join (public) or
/// only those an owner invited, its topic, and its owners. Version 1 is signed by the creator, who is
/// its only owner; each later version is valid only when signed by an owner of the version before, so
/// neither the hub nor a member who is not an owner can change it.
/// <code>
/// RoomPolicy: name length u8 | room | version u32 | public u8 | topic length u16 | topic (UTF-8, at most 256)
///           | owner count u8 (1 to 32) | owners (32 each) | signer (see RoomSigning: identity key, signature)
/// </code>
/// The signature covers "parley-room-policy-v1" and every byte before the signer's key.
/// </summary>
public sealed record RoomPolicy(string Room, uint Version, bool Public, string Topic, IReadOnlyList<DeviceId> Owners, byte[] SignerKey, byte[] Signature)
    : IWireMessage<RoomPolicy>
{
    public const int MaxTopicBytes = 256;
    public const int MaxOwners = 32;
    private const string Domain = "parley-room-policy-v1";

    public static int MaxSize => 1 + RoomNames.MaxBytes + 4 + 1 + 2 + MaxTopicBytes + 1 + MaxOwners * DeviceId.Size + RoomSigning.MaxSize;

    public DeviceId Signer => RoomSigning.SignerOf(SignerKey);

    public static RoomPolicy Create(NodeIdentity signer, string room, uint version, bool isPublic, string topic, IReadOnlyList<DeviceId> owners)
    {
        if (System.Text.Encoding.UTF8.GetByteCount(topic) > MaxTopicBytes)
        {
            throw new ArgumentException($"a topic is at most {MaxTopicBytes} bytes");
        }
        if (owners.Count is 0 or > MaxOwners)
        {
            throw new ArgumentException($"a room has 1 to {MaxOwners} owners");
        }
        var unsigned = new RoomPolicy(room, version, isPublic, topic, [.. owners.Distinct()], [], []);
        var (key, signature) = RoomSigning.Sign(signer, Domain, unsigned.Body());
        return unsigned with { SignerKey = key, Signature = signature };
    }

    /// <summary>The first version: made by the creator, the only owner, invite-only.</summary>
    public static RoomPolicy First(NodeIdentity creator, string room, bool isPublic = false) => Create(creator, room, 1, isPublic, "", [creator.DeviceId]);

    public bool IsOwner(DeviceId device) => Owners.Contains(device);

    /// <summary>The signature holds (its key made it).</summary>
    public bool Verify() => RoomSigning.Verify(Domain, Body(), SignerKey, Signature);

    /// <summary>Valid with nothing known before it: signed by one of its own owners (the creator's version 1, or the latest as a joiner first sees it).</summary>
    public bool IsSelfSigned() => IsOwner(Signer) && Verify();

    /// <summary>Valid as the version after <paramref name="previous"/>: the same room, a higher version, signed by an owner of <paramref name="previous"/>.</summary>
    public bool Follows(RoomPolicy previous) => Room == previous.Room && Version > previous.Version && previous.IsOwner(Signer) && Verify();

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out RoomPolicy message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadRoom(out var room) || !reader.TryReadU32(out var version) || !reader.TryRead(out var isPublic) || isPublic > 1
            || !reader.TryReadBlob16(MaxTopicBytes, out var topicBytes) || !PayloadText.TryDecode(topicBytes, out var topic)
            || !reader.TryRead(out var count) || count is 0 or > MaxOwners)
        {
            error = "truncated, not a room name, a topic over 256 bytes, or no owners";
            return false;
        }
        var owners = new List<DeviceId>(count);
        for (var i = 0; i < count; i++)
        {
            if (!reader.TryReadDevice(out var owner) || owners.Contains(owner))
            {
                error = "an owner is missing or listed twice";
                return false;
            }
            owners.Add(owner);
        }
        if (!RoomSigning.TryReadSigner(ref reader, out var key, out var signature) || reader.Remaining != 0)
        {
            error = "no signer, or bytes after the signature";
            return false;
        }
        message = new RoomPolicy(room, version, isPublic == 1, topic, owners, key, signature);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        WriteBody(output);
        RoomSigning.WriteSigner(output, SignerKey, Signature);
    }

    private byte[] Body() => RoomSigning.Body(WriteBody);

    private void WriteBody(IBufferWriter<byte> output)
    {
        output.WriteRoom(Room);
        output.WriteU32(Version);
        output.WriteU8(Public ? (byte)1 : (byte)0);
        output.WriteBlob16(PayloadText.Truncate(Topic, MaxTopicBytes));
        output.WriteU8((byte)Owners.Count);
        foreach (var owner in Owners)
        {
            output.WriteDevice(owner);
        }
    }
}
