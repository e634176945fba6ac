using Parley.Core.Hub.Mailbox;
using Parley.Core.Hub.RoomCalls;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Node.RoomCalls;

/// <summary>End-to-end frame keys: ours, renewed on every join and leave and sealed to each other participant; theirs, opened with our agreement key.</summary>
internal sealed partial class RoomCallMember
{
    /// <summary>Keys of one participant we keep: the newest and the one before (packets under it may still be on their way). 2.</summary>
    private const int KeysKeptPerParticipant = 2;

    /// <summary>A fresh frame key for us (the next key ID); the caller hands it out. Under <see cref="_lock"/>.</summary>
    private static void Rekey(RoomCallState call)
    {
        lock (call.Lock)
        {
            var key = RoomCallFrameKey.Create((byte)((call.MyKey?.KeyId ?? 0) + 1));
            call.MyCipher?.Dispose();
            (call.MyKey, call.MyCipher) = (key, new RoomCallFrameCipher(key));
        }
    }

    /// <summary>Seals our current key to <paramref name="only"/>, or to every other participant; one without a verified directory entry gets none (it cannot open our media).</summary>
    private async Task HandKeysAsync(RoomCallState call, ushort? only)
    {
        RoomCallFrameKey key;
        List<KeyValuePair<ushort, DeviceId>> to;
        lock (call.Lock)
        {
            key = call.MyKey!;
            to = [.. call.Others.Where(o => only is null || o.Key == only)];
        }
        foreach (var (participant, device) in to)
        {
            if (await directory.TryFindAsync(device).ConfigureAwait(false) is { SignatureValid: true } entry)
            {
                var sealedKey = MailboxSeal.Seal(identity, device, entry.AgreementKey, key.ToBytes(), SealPurpose.RoomCallKey);
                channel.TrySend(FrameType.RoomCallKey, new RoomCallKey(call.CallId, participant, sealedKey));
            }
        }
    }

    private async Task OnNoticeAsync(RoomCallNotice notice)
    {
        if (_call is not { } call || notice.CallId != call.CallId)
        {
            return;
        }
        if (notice.Participant == call.Participant)
        {
            if (notice.Change != RoomCallChange.Joined)
            {
                Drop(call, notice.Change == RoomCallChange.CutOff ? "the hub cut this node off for sending too much" : "the hub took this node out of the call"); // it sends us nothing more
            }
            return;
        }
        lock (call.Lock)
        {
            if (notice.Change == RoomCallChange.Joined)
            {
                call.Others[notice.Participant] = notice.Device;
            }
            else
            {
                call.Others.Remove(notice.Participant);
                foreach (var held in call.TheirKeys.Keys.Where(k => k.Participant == notice.Participant).ToList())
                {
                    call.TheirKeys.Remove(held, out var cipher);
                    cipher?.Dispose();
                }
            }
        }
        ParticipantsChanged?.Invoke(notice);
        // Whoever came or went, we take a new key: a newcomer cannot read what was said before it came, a leaver what is said after.
        lock (_lock)
        {
            if (_call != call)
            {
                return;
            }
            Rekey(call);
        }
        await HandKeysAsync(call, null).ConfigureAwait(false);
    }

    /// <summary>Keeps a frame key another participant sealed to us, if it opens and its sealer is the device the hub says that participant is.</summary>
    private void TakeKey(RoomCallKey sealedKey)
    {
        if (_call is not { } call || sealedKey.CallId != call.CallId
            || !MailboxSeal.TryOpen(sealedKey.Sealed, agreement, identity.DeviceId, SealPurpose.RoomCallKey, out var sealer, out var plaintext, out _)
            || !RoomCallFrameKey.TryRead(plaintext, out var key))
        {
            Interlocked.Increment(ref _unopened);
            return;
        }
        lock (call.Lock)
        {
            if (!call.Others.TryGetValue(sealedKey.Participant, out var device) || device != sealer)
            {
                Interlocked.Increment(ref _unopened);
                return;
            }
            call.TheirKeys.Remove((sealedKey.Participant, key.KeyId), out var replaced);
            replaced?.Dispose();
            call.TheirKeys[(sealedKey.Participant, key.KeyId)] = new RoomCallFrameCipher(key);
            foreach (var old in call.TheirKeys.Keys.Where(k => k.Participant == sealedKey.Participant && (byte)(key.KeyId - k.KeyId) >= KeysKeptPerParticipant).ToList())
            {
                call.TheirKeys.Remove(old, out var cipher);
                cipher?.Dispose();
            }
        }
    }
}
