using System.Collections.Concurrent;
using System.Security.Cryptography;
using Parley.Core.Attachments;
using Parley.Core.Chat;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Node.Chat;
using Parley.Node.Contacts;
using Parley.Node.Events;
using Parley.Node.Links;
using Parley.Node.Storage;

namespace Parley.Node.Attachments;

/// <summary>
/// Attachments over the link to a contact who is online: the reference (frame 0x13), then the ciphertext
/// in order (0x14) into the receiver's attachment store — its home, never the user's folders. The receiver
/// checks the ciphertext's SHA-256 and then acknowledges the message (ChatAck: delivered). What it holds
/// while bytes arrive is bounded per contact (<see cref="MaxIncomingPerPeer"/>, <see cref="MaxBytesPerPeer"/>);
/// past that, or past what one contact may have in our store (<see cref="MaxStoredPerPeer"/>), a reference's bytes are
/// refused (not acknowledged): the sender sends it again on the next link.
/// </summary>
internal sealed class AttachmentLink(AttachmentBook book, IChatStore store, ContactBook contacts, EventHub events) : IPeerFeature, IPendingAttachments
{
    /// <summary>Attachments one contact may be pushing to us at once. 4.</summary>
    public const int MaxIncomingPerPeer = 4;

    /// <summary>Ciphertext one contact may be pushing to us at once, all its attachments together. 256 MiB.</summary>
    public const long MaxBytesPerPeer = 256L << 20;

    /// <summary>Ciphertext from one contact kept in our attachment store, all its attachments together. 2 GiB.</summary>
    public const long MaxStoredPerPeer = 2L << 30;

    private readonly ConcurrentDictionary<(DeviceId, Guid), Incoming> _incoming = new();

    public IReadOnlyList<FrameSpec> Frames => AttachmentFrames.Link;

    public bool IsAttachment(Guid messageId) => book.Find(messageId) is { Outgoing: true };

    public bool TryResend(PeerSession session, Guid messageId)
    {
        if (book.Find(messageId) is not { Outgoing: true } entry)
        {
            return false;
        }
        _ = PushAsync(session, entry.Ref);
        return true;
    }

    /// <summary>Sends the reference and then the ciphertext as bulk frames (waiting for room); false if the link closed first.</summary>
    public async Task<bool> PushAsync(PeerSession session, AttachmentRef reference)
    {
        var link = session.Link;
        if (!link.TrySend(FrameType.AttachmentRef, reference.ToArray()))
        {
            return false;
        }
        await using var file = new FileStream(book.CipherPath(reference), FileMode.Open, FileAccess.Read, FileShare.Read, 1, useAsync: true);
        var buffer = new byte[BlobChunk.MaxData];
        for (long offset = 0; offset < file.Length;)
        {
            var read = await file.ReadAsync(buffer).ConfigureAwait(false);
            if (!await link.SendBulkAsync(FrameType.AttachmentChunk, new AttachmentChunk(reference.Id, offset, buffer.AsMemory(0, read)).ToArray()).ConfigureAwait(false))
            {
                return false;
            }
            offset += read;
        }
        return true;
    }

    public ValueTask OnFrameAsync(PeerSession session, Frame frame)
    {
        if (!contacts.IsContact(session.Id))
        {
            return ValueTask.CompletedTask;
        }
        return frame.Type switch
        {
            FrameType.AttachmentRef => new ValueTask(ReferenceAsync(session, frame.Read<AttachmentRef>())),
            FrameType.AttachmentChunk => Chunk(session, frame.Read<AttachmentChunk>()),
            _ => ValueTask.CompletedTask,
        };
    }

    private async Task ReferenceAsync(PeerSession session, AttachmentRef reference)
    {
        var peer = session.Id;
        book.Remember(new AttachmentEntry(reference.Id, peer.Compact, false, reference));
        // Ready for its chunks before anything is awaited: they follow on the same link.
        var had = File.Exists(book.CipherPath(reference));
        if (!had)
        {
            Expect(peer, reference);
        }
        if (await store.InsertMessageAsync(reference.Id, peer.Compact, outgoing: false, reference.Caption, reference.SentAt, MessageState.Received).ConfigureAwait(false))
        {
            var record = new MessageRecord(reference.Id, peer.Compact, Outgoing: false, reference.Caption, reference.SentAt, MessageState.Received, 0);
            events.Publish(ChatEvents.Message, () => book.Decorate(MessageView.Direct(record, contacts)));
        }
        if (had)
        {
            session.Link.TrySend(FrameType.ChatAck, new ChatAck(reference.Id).ToArray()); // had it already: sent again after a lost ack
        }
    }

    private void Expect(DeviceId peer, AttachmentRef reference)
    {
        var length = AttachmentCipher.CiphertextSize(reference.Size);
        var mine = _incoming.Where(i => i.Key.Item1 == peer).Select(i => i.Value).ToList();
        if (mine.Count >= MaxIncomingPerPeer || mine.Sum(i => i.Length) + length > MaxBytesPerPeer
            || book.StoredFrom(peer.Compact) + length > MaxStoredPerPeer)
        {
            return; // not acknowledged: the sender tries again on the next link
        }
        var incoming = new Incoming(reference, length, book.CipherPath(reference) + ".link-" + Guid.NewGuid().ToString("N")[..8]);
        if (_incoming.TryRemove((peer, reference.Id), out var older))
        {
            older.Abandon();
        }
        _incoming[(peer, reference.Id)] = incoming;
        book.SetState(reference.Id, AttachmentStates.Fetching);
    }

    private ValueTask Chunk(PeerSession session, AttachmentChunk chunk)
    {
        if (!_incoming.TryGetValue((session.Id, chunk.MessageId), out var incoming))
        {
            return ValueTask.CompletedTask; // for no reference we took: dropped before anything is held
        }
        if (!incoming.Append(chunk))
        {
            End(session, incoming, "the contact sent the attachment out of order");
            return ValueTask.CompletedTask;
        }
        if (incoming.Complete)
        {
            End(session, incoming, incoming.HashHolds ? null : "the attachment's bytes do not match their SHA-256; refused");
        }
        return ValueTask.CompletedTask;
    }

    private void End(PeerSession session, Incoming incoming, string? error)
    {
        _incoming.TryRemove((session.Id, incoming.Reference.Id), out _);
        incoming.Close();
        if (error is null)
        {
            File.Move(incoming.TempPath, book.CipherPath(incoming.Reference), overwrite: true);
            session.Link.TrySend(FrameType.ChatAck, new ChatAck(incoming.Reference.Id).ToArray());
        }
        else
        {
            File.Delete(incoming.TempPath);
        }
        book.SetState(incoming.Reference.Id, error is null ? null : AttachmentStates.Missing);
        if (book.Find(incoming.Reference.Id) is { } entry)
        {
            events.Publish(AttachmentEvents.State, () => new AttachmentStateEvent(entry.MessageId, session.Id.ToString(), book.View(entry), error));
        }
    }

    /// <summary>A link closed: what was arriving over it is dropped (the sender sends it whole again).</summary>
    public void OnSessionClosed(DeviceId peer, string reason)
    {
        foreach (var key in _incoming.Keys.Where(k => k.Item1 == peer).ToList())
        {
            if (_incoming.TryRemove(key, out var incoming))
            {
                incoming.Abandon();
                book.SetState(key.Item2, null);
            }
        }
    }

    /// <summary>One attachment arriving: its ciphertext so far in a temporary file beside where it will live, hashed as it comes.</summary>
    private sealed class Incoming(AttachmentRef reference, long length, string tempPath)
    {
        private readonly FileStream _file = OwnerOnly.CreateFile(tempPath);
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long _received;

        public AttachmentRef Reference { get; } = reference;

        public long Length { get; } = length;

        public string TempPath { get; } = tempPath;

        public bool Complete => _received == Length;

        public bool HashHolds { get; private set; }

        public bool Append(AttachmentChunk chunk)
        {
            lock (_file)
            {
                if (chunk.Offset != _received || _received + chunk.Data.Length > Length)
                {
                    return false;
                }
                _file.Write(chunk.Data.Span);
                _hash.AppendData(chunk.Data.Span);
                _received += chunk.Data.Length;
                if (Complete)
                {
                    _file.Flush(flushToDisk: true);
                    HashHolds = CryptographicOperations.FixedTimeEquals(_hash.GetHashAndReset(), Reference.BlobId);
                }
                return true;
            }
        }

        public void Close()
        {
            lock (_file)
            {
                _file.Dispose();
                _hash.Dispose();
            }
        }

        public void Abandon()
        {
            Close();
            File.Delete(TempPath);
        }
    }
}
