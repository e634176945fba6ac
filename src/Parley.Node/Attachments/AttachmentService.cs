using System.Security.Cryptography;
using Parley.Core.Attachments;
using Parley.Core.Chat;
using Parley.Core.Hub.Rooms;
using Parley.Node.Chat;
using Parley.Node.Contacts;
using Parley.Node.Events;
using Parley.Node.Files;
using Parley.Node.Hub;
using Parley.Node.Links;
using Parley.Node.Rooms;
using Parley.Node.Storage;

namespace Parley.Node.Attachments;

/// <summary>
/// Sends attachments and gives them back. Sending: the file is encrypted under a fresh key (see
/// <see cref="AttachmentCipher"/>) into the node's attachment store, the ciphertext uploaded once to the
/// hub's blob store (for the room, or for the contact), and the reference (key and SHA-256 inside) sent
/// end to end: sealed into the room's log, or sealed into the contact's mailbox. Receiving needs nothing
/// until asked: the content is fetched from the hub into the store and checked when first read or saved.
/// </summary>
internal sealed class AttachmentService(AttachmentBook book, BlobClient blobs, RoomChat rooms, MailDrop mail, PeerLookup lookup, ContactBook contacts,
    IChatStore store, FileSettings files, EventHub events, TimeProvider time, IPeerSessions sessions, AttachmentLink link, IHubChannel hub) : IAttachmentSender
{
    /// <summary>Largest attachment; larger files go as transfers (resume, folders). 64 MiB (a hub takes 25 MiB by default; more goes over the link).</summary>
    public const long MaxBytes = 64L << 20;

    private readonly SemaphoreSlim _fetching = new(1, 1);

    public async Task<MessageView> SendAsync(string conversation, AttachmentDraft draft, CancellationToken ct)
    {
        var name = Path.GetFileName(draft.Name.Trim());
        if (!File.Exists(draft.ContentPath))
        {
            throw new ChatException("the attachment's file is not there; nothing was sent");
        }
        if (new FileInfo(draft.ContentPath).Length is var length && length > MaxBytes)
        {
            throw new ChatException($"{name} is {length / 1048576.0:0.#} MiB, over the attachment cap of {MaxBytes >> 20} MiB; send it as a transfer (parley send) instead");
        }
        if (name.Length == 0)
        {
            throw new ChatException("an attachment needs a file name");
        }
        if (draft.Preview is { Length: > AttachmentRef.MaxPreviewBytes })
        {
            throw new ChatException($"the preview is {draft.Preview.Length} bytes; the limit is {AttachmentRef.MaxPreviewBytes} (32 KiB)");
        }
        if (draft.Waveform is { } wave && (wave.Count > AttachmentRef.MaxWaveform || wave.Any(v => v is < 0 or > 255)))
        {
            throw new ChatException($"a waveform is at most {AttachmentRef.MaxWaveform} values of 0 to 255");
        }
        var caption = draft.Caption ?? "";
        if (System.Text.Encoding.UTF8.GetByteCount(caption) > AttachmentRef.MaxCaptionBytes)
        {
            throw new ChatException($"a caption is at most {AttachmentRef.MaxCaptionBytes} bytes");
        }
        var isRoom = PeerLookup.IsRoom(conversation);
        var room = isRoom ? RoomNames.Normalize(Uri.UnescapeDataString(conversation).TrimStart('#')) : null;
        var peer = isRoom ? (Core.Identity.DeviceId?)null : lookup.Resolve(conversation);
        if (peer is { } contact && !contacts.IsContact(contact))
        {
            throw new ChatException($"{contact.Short} is not a contact; add or accept it first");
        }

        var key = RandomNumberGenerator.GetBytes(AttachmentRef.KeySize);
        var temp = Path.Combine(book.Blobs, "out-" + Guid.NewGuid().ToString("N") + ".tmp");
        byte[] sha, blobId;
        long size;
        try
        {
            (size, sha, blobId) = await AttachmentCipher.EncryptAsync(draft.ContentPath, temp, key, ct).ConfigureAwait(false);
            File.Move(temp, Path.Combine(book.Blobs, Convert.ToHexStringLower(blobId)), overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
        var reference = new AttachmentRef(Guid.CreateVersion7(), time.GetUtcNow(), KindByte(draft.Kind), size, sha, key, blobId, (uint)Math.Max(0, draft.DurationMs ?? 0),
            name, string.IsNullOrWhiteSpace(draft.Mime) ? "application/octet-stream" : draft.Mime, [.. (draft.Waveform ?? []).Select(v => (byte)v)], draft.Preview ?? [], caption);
        if (room is null)
        {
            return await SendDirectAsync(peer!.Value, reference, ct).ConfigureAwait(false);
        }
        var refusal = await UploadAsync(reference, room, peer, ct).ConfigureAwait(false);
        if (refusal is not null)
        {
            throw new ChatException(refusal);
        }
        book.Remember(new AttachmentEntry(reference.Id, "#" + room, true, reference));
        return await rooms.SendAsync(room, new ChatMessage(reference.Id, reference.SentAt, caption), RoomAttachment.ToPlaintext(reference)).ConfigureAwait(false);
    }

    /// <summary>
    /// To a contact: over the link when it is online (pushed into its store; delivered once it checked the bytes); else through
    /// the hub (ciphertext in the blob store, reference in its mailbox); else, or when the hub refuses it (too large), kept
    /// and sent over the link when the contact is back.
    /// </summary>
    private async Task<MessageView> SendDirectAsync(Core.Identity.DeviceId to, AttachmentRef reference, CancellationToken ct)
    {
        var caption = reference.Caption;
        book.Remember(new AttachmentEntry(reference.Id, to.Compact, true, reference));
        if (sessions.Session(to) is { IsOpen: true } session)
        {
            await store.InsertMessageAsync(reference.Id, to.Compact, outgoing: true, caption, reference.SentAt, MessageState.Sent).ConfigureAwait(false);
            _ = link.PushAsync(session, reference);
            return Published(to, reference, MessageState.Sent, null);
        }
        if (!hub.Connected)
        {
            await store.InsertMessageAsync(reference.Id, to.Compact, outgoing: true, caption, reference.SentAt, MessageState.Queued).ConfigureAwait(false);
            return Published(to, reference, MessageState.Queued, null);
        }
        if (await UploadAsync(reference, null, to, ct).ConfigureAwait(false) is { } refusal)
        {
            await store.InsertMessageAsync(reference.Id, to.Compact, outgoing: true, caption, reference.SentAt, MessageState.Queued).ConfigureAwait(false);
            return Published(to, reference, MessageState.Queued, $"{refusal}; it is sent over the link when the contact is back");
        }
        if (await mail.LeaveAsync(to, reference).ConfigureAwait(false) is { } mailRefusal)
        {
            await store.InsertMessageAsync(reference.Id, to.Compact, outgoing: true, caption, reference.SentAt, MessageState.Queued).ConfigureAwait(false);
            return Published(to, reference, MessageState.Queued, $"{mailRefusal}; it is sent over the link when the contact is back");
        }
        // Mailed: sent again over the link (whole) when the contact is back, for the delivery tick.
        await store.InsertMessageAsync(reference.Id, to.Compact, outgoing: true, caption, reference.SentAt, MessageState.Mailed).ConfigureAwait(false);
        return Published(to, reference, MessageState.Mailed, null);
    }

    private MessageView Published(Core.Identity.DeviceId to, AttachmentRef reference, MessageState state, string? warning)
    {
        var view = book.Decorate(MessageView.Direct(new MessageRecord(reference.Id, to.Compact, true, reference.Caption, reference.SentAt, state, 0) { Warning = warning }, contacts));
        events.Publish(ChatEvents.Message, () => view);
        return view;
    }

    private async Task<string?> UploadAsync(AttachmentRef reference, string? room, Core.Identity.DeviceId? peer, CancellationToken ct)
    {
        try
        {
            return await blobs.UploadAsync(book.CipherPath(reference), reference.BlobId, room, peer, ct).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            return $"{e.Message}; nothing was sent (attachments go through the hub)";
        }
    }

    /// <summary>The path of an attachment's ciphertext here, fetched from the hub first if need be; throws with the reason when it cannot be had.</summary>
    public async Task<string> CiphertextAsync(AttachmentEntry entry, CancellationToken ct)
    {
        var path = book.CipherPath(entry.Ref);
        if (File.Exists(path))
        {
            return path;
        }
        // One fetch at a time: a second asker for the same attachment finds it there after waiting.
        await _fetching.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (File.Exists(path))
            {
                return path;
            }
            SetState(entry, AttachmentStates.Fetching, null);
            var temp = path + ".part";
            string? error;
            try
            {
                File.Delete(temp);
                error = await blobs.DownloadAsync(entry.Ref.BlobId, AttachmentCipher.CiphertextSize(entry.Ref.Size), temp, ct).ConfigureAwait(false);
            }
            catch (InvalidOperationException e)
            {
                error = e.Message;
            }
            if (error is null && !HashHolds(temp, entry.Ref.BlobId))
            {
                error = "the hub's copy of the attachment is not the one its message names (its SHA-256 differs); refused";
            }
            if (error is not null)
            {
                File.Delete(temp);
                SetState(entry, AttachmentStates.Missing, error);
                throw new ChatException(error);
            }
            File.Move(temp, path, overwrite: true);
            SetState(entry, null, null);
            return path;
        }
        finally
        {
            _fetching.Release();
        }
    }

    /// <summary>Decrypts and checks the attachment into <paramref name="requested"/> (a folder, a file, or null: the downloads folder) under a safe, free name.</summary>
    public async Task<string> SaveAsync(AttachmentEntry entry, string? requested, CancellationToken ct)
    {
        var cipher = await CiphertextAsync(entry, ct).ConfigureAwait(false);
        if (!SafeNames.TrySanitize(entry.Ref.Name, out var safe, out _) || safe.Contains('/', StringComparison.Ordinal))
        {
            safe = "attachment-" + entry.MessageId.ToString("N")[..8];
        }
        string target;
        if (requested is null || Directory.Exists(requested))
        {
            var folder = requested ?? await files.DownloadFolderAsync().ConfigureAwait(false);
            Directory.CreateDirectory(folder);
            target = Path.Combine(Path.GetFullPath(folder), safe);
        }
        else
        {
            target = Path.GetFullPath(requested);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        }
        var temp = Path.Combine(Path.GetDirectoryName(target)!, ".parley-" + Guid.NewGuid().ToString("N")[..12] + ".part");
        if (await AttachmentCipher.TryDecryptAsync(cipher, temp, entry.Ref, ct).ConfigureAwait(false) is { } error)
        {
            throw new ChatException(error);
        }
        var saved = SafeFolder.MoveToFreeName(temp, target);
        book.RecordSaved(entry.MessageId, saved);
        return saved;
    }

    private void SetState(AttachmentEntry entry, string? state, string? error)
    {
        book.SetState(entry.MessageId, state);
        if (state != AttachmentStates.Fetching)
        {
            events.Publish(AttachmentEvents.State, () => new AttachmentStateEvent(entry.MessageId,
                entry.Conversation.StartsWith('#') ? entry.Conversation : Core.Identity.DeviceId.Parse(entry.Conversation).ToString(), book.View(entry), error));
        }
    }

    private static bool HashHolds(string path, byte[] expected)
    {
        using var file = File.OpenRead(path);
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(file), expected);
    }

    private static byte KindByte(AttachmentKind kind) => kind switch
    {
        AttachmentKind.Image => AttachmentRef.ImageKind,
        AttachmentKind.Voice => AttachmentRef.VoiceKind,
        _ => AttachmentRef.FileKind,
    };
}
