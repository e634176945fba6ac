using System.Collections.Concurrent;
using Parley.Core.Attachments;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Node.Chat;

namespace Parley.Node.Attachments;

/// <summary>One attachment this node knows: its message, conversation ("#room" or a peer's compact ID), direction and reference.</summary>
internal sealed record AttachmentEntry(Guid MessageId, string Conversation, bool Outgoing, AttachmentRef Ref);

/// <summary>
/// The node's attachment store, in its home (never the user's folders): <c>attachments/refs/</c> holds each
/// message's reference (which carries its key: the folder is the owner's only), <c>attachments/blobs/</c> the
/// ciphertext once sent or fetched (named by its SHA-256), <c>attachments/saved/</c> where each was saved.
/// Everything is kept in memory too (a reference is at most ~38 KiB, most far less), so views are cheap.
/// </summary>
internal sealed class AttachmentBook
{
    private readonly ConcurrentDictionary<Guid, AttachmentEntry> _entries = new();
    private readonly ConcurrentDictionary<Guid, string> _saved = new();
    private readonly ConcurrentDictionary<Guid, string> _states = new(); // fetching or missing; otherwise from the disk

    public AttachmentBook(NodeOptions options)
    {
        var root = Path.Combine(options.Home, "attachments");
        // Owner only: the references hold the attachments' keys.
        Refs = Path.Combine(root, "refs");
        Blobs = Path.Combine(root, "blobs");
        Saved = Path.Combine(root, "saved");
        foreach (var folder in new[] { root, Refs, Blobs, Saved })
        {
            OwnerOnly.CreateFolder(folder);
        }
        // Only whole ciphertexts are named by their 64-hex SHA-256; anything else is left by a process that stopped mid-way
        // (a fetch's .part, a link push's .link-, a decrypted plain-*.tmp) and would stay on disk, uncounted, for good.
        foreach (var leftover in Directory.EnumerateFiles(Blobs).Where(f => !IsBlobName(Path.GetFileName(f))))
        {
            File.Delete(leftover);
        }
        foreach (var file in Directory.EnumerateFiles(Refs).Where(f => !f.EndsWith(".tmp", StringComparison.Ordinal)))
        {
            if (TryReadEntry(File.ReadAllBytes(file), out var entry))
            {
                _entries[entry.MessageId] = entry;
            }
        }
        foreach (var file in Directory.EnumerateFiles(Saved).Where(f => !f.EndsWith(".tmp", StringComparison.Ordinal)))
        {
            if (Guid.TryParseExact(Path.GetFileName(file), "N", out var id))
            {
                _saved[id] = File.ReadAllText(file);
            }
        }
    }

    public string Refs { get; }

    public string Blobs { get; }

    private string Saved { get; }

    public AttachmentEntry? Find(Guid messageId) => _entries.GetValueOrDefault(messageId);

    /// <summary>Finds by the start of a message ID (as the CLI takes it): the one entry it names, or null (none or several).</summary>
    public AttachmentEntry? FindByPrefix(string prefix)
    {
        var compact = prefix.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant();
        var found = _entries.Values.Where(e => e.MessageId.ToString("N").StartsWith(compact, StringComparison.Ordinal)).Take(2).ToList();
        return found.Count == 1 ? found[0] : null;
    }

    /// <summary>Where an attachment's ciphertext is kept here (whether or not it is there yet).</summary>
    private static bool IsBlobName(string name) => name.Length == 64 && name.All(char.IsAsciiHexDigitLower);

    public string CipherPath(AttachmentRef reference) => Path.Combine(Blobs, Convert.ToHexStringLower(reference.BlobId));

    /// <summary>Ciphertext bytes this store holds of a conversation's incoming attachments (a contact's quota here).</summary>
    public long StoredFrom(string conversation) => _entries.Values
        .Where(e => !e.Outgoing && e.Conversation == conversation && File.Exists(CipherPath(e.Ref)))
        .Sum(e => AttachmentCipher.CiphertextSize(e.Ref.Size));

    /// <summary>Keeps a reference (written under a temporary name, then renamed); a known message ID keeps the first.</summary>
    public void Remember(AttachmentEntry entry)
    {
        if (!_entries.TryAdd(entry.MessageId, entry))
        {
            return;
        }
        // outgoing u8 | conversation length u8 | conversation (ASCII: "#room" or a compact device ID) | the reference
        var conversation = System.Text.Encoding.UTF8.GetBytes(entry.Conversation);
        byte[] bytes = [entry.Outgoing ? (byte)1 : (byte)0, (byte)conversation.Length, .. conversation, .. entry.Ref.ToArray()];
        var path = Path.Combine(Refs, entry.MessageId.ToString("N"));
        WriteOwnerOnly(path + ".tmp", bytes);
        File.Move(path + ".tmp", path, overwrite: true);
    }

    public void SetState(Guid messageId, string? state)
    {
        if (state is null)
        {
            _states.TryRemove(messageId, out _);
        }
        else
        {
            _states[messageId] = state;
        }
    }

    public void RecordSaved(Guid messageId, string path)
    {
        _saved[messageId] = path;
        var file = Path.Combine(Saved, messageId.ToString("N"));
        WriteOwnerOnly(file + ".tmp", System.Text.Encoding.UTF8.GetBytes(path));
        File.Move(file + ".tmp", file, overwrite: true);
    }

    private static void WriteOwnerOnly(string path, byte[] bytes)
    {
        File.Delete(path);
        using var file = OwnerOnly.CreateFile(path);
        file.Write(bytes);
    }

    /// <summary>The attachment as the API shows it; a voice message with a malformed duration or waveform shows as a plain file.</summary>
    public AttachmentView View(AttachmentEntry entry)
    {
        var r = entry.Ref;
        var kind = r.Kind switch
        {
            AttachmentRef.ImageKind => AttachmentKind.Image,
            AttachmentRef.VoiceKind when r.IsPlayableVoice => AttachmentKind.Voice,
            _ => AttachmentKind.File,
        };
        var state = _states.TryGetValue(entry.MessageId, out var s) ? s : File.Exists(CipherPath(r)) ? AttachmentStates.Ready : AttachmentStates.Remote;
        return new AttachmentView(r.Id, kind, r.Name, r.Mime, r.Size, Convert.ToHexStringLower(r.Sha256),
            kind == AttachmentKind.Voice ? (int)r.DurationMs : null, kind == AttachmentKind.Voice ? [.. r.Waveform.Select(b => (int)b)] : null,
            r.Preview.Length > 0, state, _saved.GetValueOrDefault(entry.MessageId));
    }

    /// <summary>The message with its attachment, if it has one.</summary>
    public MessageView Decorate(MessageView view) => Find(view.Id) is { } entry ? view with { Attachment = View(entry) } : view;

    private static bool TryReadEntry(byte[] bytes, out AttachmentEntry entry)
    {
        entry = null!;
        if (bytes.Length < 2 || bytes.Length < 2 + bytes[1]
            || !WireMessage.TryRead<AttachmentRef>(bytes.AsMemory(2 + bytes[1]), out var reference, out _))
        {
            return false;
        }
        entry = new AttachmentEntry(reference.Id, System.Text.Encoding.UTF8.GetString(bytes, 2, bytes[1]), bytes[0] == 1, reference);
        return true;
    }
}
