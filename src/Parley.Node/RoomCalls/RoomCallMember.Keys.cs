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

    /// <summary>
    /// Longest wait between rounds of handing our key out while a participant's directory entry cannot be had: the
    /// rounds go on (1 s, 2 s, 4 s, then every 8 s) while the call lasts, for a participant left without our key never
    /// opens our media and nothing else would hand it again until someone joins or leaves. 8 s.
    /// </summary>
    private static readonly TimeSpan KeyHandingMaxWait = TimeSpan.FromSeconds(8);

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

    /// <summary>
    /// Seals our key to every other participant, looking their agreement keys up side by side; one without a
    /// verified directory entry gets none (it cannot open our media). The key is read when it is sent, so a
    /// handing that was overtaken by a newer key sends the newer one, never an older one after it.
    /// </summary>
    private async Task<bool> HandKeysAsync(RoomCallState call)
    {
        var everyone = true;
        List<KeyValuePair<ushort, DeviceId>> to;
        lock (call.Lock)
        {
            to = [.. call.Others];
        }
        var entries = await Task.WhenAll(to.Select(o => directory.TryFindAsync(o.Value))).ConfigureAwait(false);
        for (var i = 0; i < to.Count; i++)
        {
            if (entries[i] is not { SignatureValid: true } entry)
            {
                everyone = false; // the hub did not answer in time, or its entry is not there yet: tried again
                continue;
            }
            byte[] key;
            lock (call.Lock)
            {
                if (call.MyKey is not { } current || !call.Others.ContainsKey(to[i].Key))
                {
                    continue; // the call ended, or that one left meanwhile
                }
                key = current.ToBytes();
            }
            var sealedKey = MailboxSeal.Seal(identity, to[i].Value, entry.AgreementKey, key, SealPurpose.RoomCallKey);
            channel.TrySend(FrameType.RoomCallKey, new RoomCallKey(call.CallId, to[i].Key, sealedKey));
        }
        return everyone;
    }

    /// <summary>
    /// Hands our key out off the hub link's receive loop (the lookups may ask the hub, whose answers come on
    /// that loop); while someone could not be looked up, again, backing off to <see cref="KeyHandingMaxWait"/>, while the call lasts.
    /// </summary>
    private void HandKeysSoon(RoomCallState call) => _ = Task.Run(async () =>
    {
        var round = Interlocked.Increment(ref call.KeyHandings);
        try
        {
            for (var wait = TimeSpan.FromSeconds(1);
                 !await HandKeysAsync(call).ConfigureAwait(false) && _call == call && Volatile.Read(ref call.KeyHandings) == round;
                 wait = TimeSpan.FromTicks(Math.Min(wait.Ticks * 2, KeyHandingMaxWait.Ticks)))
            {
                await Task.Delay(wait, time).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            // the call or the hub link went meanwhile
        }
    });

    /// <summary>
    /// Someone joined or left: the others list follows, and (unless <paramref name="rekey"/> is false: the
    /// notices of those already in when we joined, our key being fresh) we take a new key and hand it out.
    /// </summary>
    private void OnNotice(RoomCallNotice notice, bool rekey)
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
        if (rekey)
        {
            // Whoever came or went, we take a new key: a newcomer cannot read what was said before it came, a leaver what is said after.
            lock (_lock)
            {
                if (_call != call)
                {
                    return;
                }
                Rekey(call);
            }
            HandKeysSoon(call);
        }
        ParticipantsChanged?.Invoke(notice);
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
        var opened = new List<RoomCallMediaPart>();
        lock (call.Lock)
        {
            if (!call.Others.TryGetValue(sealedKey.Participant, out var device) || device != sealer)
            {
                Interlocked.Increment(ref _unopened);
                return;
            }
            // The newest by key ID (it wraps) stays with the one before it: a key handed late, after a newer one, does not push the newer out.
            var held = call.TheirKeys.Keys.Where(k => k.Participant == sealedKey.Participant).Select(k => k.KeyId).Append(key.KeyId).ToList();
            var newest = held.Aggregate((a, b) => (sbyte)(b - a) > 0 ? b : a);
            if ((byte)(newest - key.KeyId) >= KeysKeptPerParticipant)
            {
                // Older than the keys we keep (its sender rekeyed twice while this one was on its way, as on quick rejoins): nothing it opens is still sent.
                Interlocked.Increment(ref _staleKeys);
                return;
            }
            call.TheirKeys.Remove((sealedKey.Participant, key.KeyId), out var replaced);
            replaced?.Dispose();
            var opener = new RoomCallFrameCipher(key);
            call.TheirKeys[(sealedKey.Participant, key.KeyId)] = opener;
            foreach (var old in held.Where(id => (byte)(newest - id) >= KeysKeptPerParticipant).Select(id => (sealedKey.Participant, id)).ToList())
            {
                call.TheirKeys.Remove(old, out var cipher);
                cipher?.Dispose();
            }
            foreach (var (header, body) in call.AwaitingKey.Take(sealedKey.Participant, key.KeyId, time.GetTimestamp(), time))
            {
                var media = new byte[Math.Max(0, body.Length - RoomCallFrameCipher.Overhead)];
                if (opener.TryOpen(body, media, out _))
                {
                    opened.Add(RoomCallMediaPart.Of(device, header, media));
                }
            }
        }
        foreach (var part in opened)
        {
            _received.Writer.TryWrite(part);
        }
    }
}
