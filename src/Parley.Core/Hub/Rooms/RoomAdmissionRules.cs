using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Hub.Rooms;

/// <summary>
/// Who may be in a room, one rule for the hub and every member alike: an owner of the room's policy;
/// anyone while the room is public; or the holder of a valid invite (signed by an owner of that
/// policy, for this room, naming the joiner or a join link, not yet expired when it is used). The hub
/// applies it to refuse a join with a clear reason; each member applies it again before handing its
/// sender key to a newcomer, so neither an outsider nor the hub can add a member.
/// </summary>
public static class RoomAdmissionRules
{
    /// <summary>Why <paramref name="joiner"/> may not be in the room, or null when it may.</summary>
    /// <param name="proof">The invite the joiner came with (its bytes), or empty.</param>
    /// <param name="now">When the invite is used, or null to check only that it was validly made (a member admitted earlier, whose invite has since expired).</param>
    public static string? Refusal(RoomPolicy policy, DeviceId joiner, ReadOnlyMemory<byte> proof, DateTimeOffset? now)
    {
        if (policy.IsOwner(joiner) || policy.Public)
        {
            return null;
        }
        if (proof.IsEmpty)
        {
            return $"#{policy.Room} is invite-only: ask an owner for an invite";
        }
        if (!WireMessage.TryRead<RoomInvite>(proof, out var invite, out _) || invite.Room != policy.Room || !invite.Verify())
        {
            return $"that is not a valid invite to #{policy.Room}";
        }
        if (!policy.IsOwner(invite.Signer))
        {
            return $"that invite to #{policy.Room} was not made by an owner";
        }
        if (!invite.Admits(joiner))
        {
            return $"that invite to #{policy.Room} is for another device";
        }
        return now is { } at && invite.ExpiresAt <= at ? $"that invite to #{policy.Room} has expired: ask an owner for a new one" : null;
    }

    /// <summary>The refusal for an invite withdrawn when its holder was removed (its token, for that device).</summary>
    public static string Withdrawn(string room) => $"that invite to #{room} was withdrawn when you were removed: ask an owner for a new one";

    /// <summary>The token of the invite a proof is (as text), or "" when the proof is not an invite.</summary>
    public static string TokenOf(ReadOnlyMemory<byte> proof) =>
        !proof.IsEmpty && WireMessage.TryRead<RoomInvite>(proof, out var invite, out _) ? invite.TokenText : "";
}
