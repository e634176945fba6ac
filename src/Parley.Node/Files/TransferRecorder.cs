using Parley.Core.Identity;
using Parley.Node.Chat;
using Parley.Node.Events;
using Parley.Node.Storage;

namespace Parley.Node.Files;

/// <summary>Keeps the book, the store and the event stream in step: each change is recorded, then announced.</summary>
internal sealed class TransferRecorder(TransferBook book, ITransferStore store, EventHub events, TransferViews views, ConversationEntries conversation)
{
    /// <summary>
    /// A new transfer: into the book, the store, and the event stream as <paramref name="eventName"/>;
    /// then into the conversation with the peer, as an entry with the transfer's ID (the page shows its progress there).
    /// </summary>
    public async Task AddAsync(Transfer transfer, string eventName = FilesEvents.Transfer)
    {
        book.Add(transfer);
        await store.InsertTransferAsync(transfer).ConfigureAwait(false);
        events.Publish(eventName, () => views.Describe(transfer));
        var text = (transfer.Files.Count == 1 ? "File: " : "Files: ") + TransferViews.Names(transfer);
        await conversation.AddAsync(transfer.Id, DeviceId.Parse(transfer.Peer), transfer.Outgoing, text, transfer.CreatedAt, MessageState.File).ConfigureAwait(false);
    }

    /// <summary>Records the transfer's state, folder and error, then announces it.</summary>
    public async Task SaveAsync(Transfer transfer)
    {
        await store.UpdateTransferAsync(transfer).ConfigureAwait(false);
        Announce(transfer);
    }

    /// <summary>Records one file (its final path, done).</summary>
    public Task SaveFileAsync(Transfer transfer, TransferFile file) => store.UpdateTransferFilesAsync(transfer.Id, [file]);

    /// <summary>Records many files of a transfer in one write of the store (a landed bundle, a run of FileDone).</summary>
    public Task SaveFilesAsync(Transfer transfer, IReadOnlyList<TransferFile> files) =>
        files.Count == 0 ? Task.CompletedTask : store.UpdateTransferFilesAsync(transfer.Id, files);

    /// <summary>Announces progress without recording it (progress inside a file is never stored).</summary>
    public void Announce(Transfer transfer) => events.Publish(FilesEvents.Transfer, () => views.Describe(transfer));
}
