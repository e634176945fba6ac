using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Node.Rooms;

/// <summary>
/// What a change read from a room's log means here: a member joined (admitted only on an owner's word:
/// its invite, or it is an owner, or the room is public), left or was removed (its keys go, and to come
/// back it needs a proof again), or an owner set a new policy (kept only when signed by an owner of the
/// one we hold). Returns the line for the room's timeline, or null when there is nothing new to say.
/// Notices read again (after a reconnect) end where they started: each sets one member in or out.
/// </summary>
internal sealed class RoomNotices(NodeIdentity identity, RoomBook book, RoomAdmission admission)
{
    public async Task<string?> ApplyAsync(RoomState state, RoomNotice notice, ulong seq)
    {
        var (kind, room, member, name) = notice;
        var self = member == identity.DeviceId;
        switch (kind)
        {
            case RoomNoticeKind.Joined:
                lock (state.Lock)
                {
                    state.Members[member] = name;
                    // Its join notice's place is where it joined: what it may read (and ask keys for) starts after it.
                    if (!state.Receipts.TryGetValue(member, out var known) || known.Joined < seq)
                    {
                        state.Receipts[member] = new RoomReceipt(member, seq, seq - 1);
                    }
                }
                if (self)
                {
                    return $"you joined #{room}";
                }
                var refusal = await admission.AdmitAsync(room, member, notice.Proof).ConfigureAwait(false);
                return refusal is null ? $"{name} joined #{room}" : $"{name} joined #{room} without an owner's invite ({refusal}): they get no key from you";
            case RoomNoticeKind.Left:
                await ForgetAsync(state, member, removed: false).ConfigureAwait(false);
                return self ? $"you left #{room}" : $"{name} left #{room}";
            case RoomNoticeKind.Removed:
                await ForgetAsync(state, member, removed: true).ConfigureAwait(false);
                return $"{name} was removed from #{room} by {(notice.By == identity.DeviceId ? "you" : notice.ByName)}";
            case RoomNoticeKind.Policy when WireMessage.TryRead<RoomPolicy>(notice.Proof, out var policy, out _):
                var before = admission.PolicyOf(room);
                // Not news (our own change, or one read again): no line.
                return await admission.AcceptPolicyAsync(room, policy).ConfigureAwait(false)
                    ? RoomPolicyText.Change(before, policy, notice.By == identity.DeviceId ? "me" : book.NameOf(room, notice.By))
                    : null;
            default:
                return null;
        }
    }

    /// <summary>Whether the notice changes who holds which key (so a live one makes us rekey).</summary>
    public static bool ChangesKeys(RoomNotice notice) => notice.Kind is RoomNoticeKind.Joined or RoomNoticeKind.Left or RoomNoticeKind.Removed;

    /// <summary>A member is out: its keys go, and to come back it needs a proof again (a removed member, a new one).</summary>
    public async Task ForgetAsync(RoomState state, DeviceId member, bool removed)
    {
        lock (state.Lock)
        {
            state.Remove(member);
        }
        await admission.ForgetAsync(state.Name, member, removed).ConfigureAwait(false);
    }
}
