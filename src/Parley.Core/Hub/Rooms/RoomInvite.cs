using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Rooms;

/// <summary>
/// An owner's word that a device may join a room: bound to one invitee, or (invitee all zero) a join
/// link that admits whoever holds it, until it expires. Valid when signed by an owner of the room's
/// current policy; the hub checks it before adding the member, and every member checks it again
/// before it seals its sender key to the newcomer.
/// <code>
/// RoomInvite: name length u8 | room | invitee (32; all zero: a join link) | token (16, random: names the invite)
///           | expires at u64 (Unix ms) | signer (see RoomSigning: identity key, signature)
/// </code>
/// The signature covers "parley-room-invite-v1" and every byte before the signer's key.
/// </summary>
public sealed record RoomInvite(string Room, DeviceId Invitee, byte[] Token, DateTimeOffset ExpiresAt, byte[] SignerKey, byte[] Signature)
    : IWireMessage<RoomInvite>
{
    public const int TokenSize = 16;

    /// <summary>How a join link starts: <c>parley-room:</c> and the invite in base64url.</summary>
    public const string LinkPrefix = "parley-room:";

    private const string Domain = "parley-room-invite-v1";

    public static int MaxSize => 1 + RoomNames.MaxBytes + DeviceId.Size + TokenSize + 8 + RoomSigning.MaxSize;

    public DeviceId Signer => RoomSigning.SignerOf(SignerKey);

    /// <summary>A join link: admits whoever holds it.</summary>
    public bool IsLink => Invitee.Bytes.IndexOfAnyExcept((byte)0) < 0;

    /// <summary>The token as text (to store and look up the invite by).</summary>
    public string TokenText => Convert.ToHexString(Token);

    /// <summary>An invite for <paramref name="invitee"/>, or a join link when it is null.</summary>
    public static RoomInvite Create(NodeIdentity owner, string room, DeviceId? invitee, DateTimeOffset expiresAt)
    {
        var unsigned = new RoomInvite(room, invitee ?? new DeviceId(new byte[DeviceId.Size]), RandomNumberGenerator.GetBytes(TokenSize), expiresAt, [], []);
        var (key, signature) = RoomSigning.Sign(owner, Domain, unsigned.Body());
        return unsigned with { SignerKey = key, Signature = signature };
    }

    /// <summary>True when the invite may admit <paramref name="joiner"/> (it names it, or it is a link).</summary>
    public bool Admits(DeviceId joiner) => IsLink || Invitee == joiner;

    public bool Verify() => RoomSigning.Verify(Domain, Body(), SignerKey, Signature);

    public string ToLink() => LinkPrefix + Base64Url(this.ToArray());

    /// <summary>Reads a <c>parley-room:</c> link (as pasted: spaces and line breaks ignored).</summary>
    public static bool TryParseLink(string text, [MaybeNullWhen(false)] out RoomInvite invite)
    {
        invite = null;
        var compact = new string([.. text.Where(c => !char.IsWhiteSpace(c))]);
        if (!compact.StartsWith(LinkPrefix, StringComparison.OrdinalIgnoreCase) || compact.Length > LinkPrefix.Length + MaxSize * 2)
        {
            return false;
        }
        var base64 = compact[LinkPrefix.Length..].Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + (4 - base64.Length % 4) % 4, '=');
        var bytes = new byte[base64.Length];
        return Convert.TryFromBase64String(base64, bytes, out var written) && WireMessage.TryRead(bytes.AsMemory(0, written), out invite, out _);
    }

    public static bool TryRead(in ReadOnlySequence<byte> payload, [MaybeNullWhen(false)] out RoomInvite message, out string error)
    {
        message = null;
        var reader = new SequenceReader<byte>(payload);
        if (!reader.TryReadRoom(out var room) || !reader.TryReadDevice(out var invitee) || !reader.TryReadBytes(TokenSize, out var token)
            || !reader.TryReadUnixMs(out var expires) || !RoomSigning.TryReadSigner(ref reader, out var key, out var signature) || reader.Remaining != 0)
        {
            error = "truncated, not a room name, or bytes after the signature";
            return false;
        }
        message = new RoomInvite(room, invitee, token, expires, key, signature);
        error = "";
        return true;
    }

    public void Write(IBufferWriter<byte> output)
    {
        WriteBody(output);
        RoomSigning.WriteSigner(output, SignerKey, Signature);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private byte[] Body() => RoomSigning.Body(WriteBody);

    private void WriteBody(IBufferWriter<byte> output)
    {
        output.WriteRoom(Room);
        output.WriteDevice(Invitee);
        output.Write(Token);
        output.WriteUnixMs(ExpiresAt);
    }
}
