using Parley.Node.Events;

namespace Parley.Node.Files;

/// <summary>Keeps the book, the store and the event stream in step: each change is recorded, then announced.</summary>
internal sealed class TransferRecorder(TransferBook book, ITransferStore store, EventHub events, TransferViews views)
{
    /// <summary>A new transfer: into the book, the store, and the event stream as <paramref name="eventName"/>.</summary>
    public async Task AddAsync(Transfer transfer, string eventName = FilesEvents.Transfer)
    {
        book.Add(transfer);
        await store.InsertTransferAsync(transfer).ConfigureAwait(false);
        events.Publish(eventName, () => views.Describe(transfer));
    }

    /// <summary>Records the transfer's state, folder and error, then announces it.</summary>
    public async Task SaveAsync(Transfer transfer)
    {
        await store.UpdateTransferAsync(transfer).ConfigureAwait(false);
        Announce(transfer);
    }

    /// <summary>Records one file (its final path, done).</summary>
    public Task SaveFileAsync(Transfer transfer, TransferFile file) => store.UpdateTransferFileAsync(transfer.Id, file);

    /// <summary>Announces progress without recording it (progress inside a file is never stored).</summary>
    public void Announce(Transfer transfer) => events.Publish(FilesEvents.Transfer, () => views.Describe(transfer));
}
