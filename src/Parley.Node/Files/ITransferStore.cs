namespace Parley.Node.Files;

/// <summary>Where transfers are kept (the seam over <see cref="Storage.NodeStore"/>, so transfer rules can run on a fake).</summary>
internal interface ITransferStore
{
    /// <summary>Stores a new transfer with its file list.</summary>
    Task InsertTransferAsync(Transfer transfer);

    /// <summary>Records a transfer's state, folder and error.</summary>
    Task UpdateTransferAsync(Transfer transfer);

    /// <summary>Records files' final paths and whether they are done, in one write (a bundle's 256 files are one item of the store's queue, not 256).</summary>
    Task UpdateTransferFilesAsync(Guid transfer, IReadOnlyList<TransferFile> files);

    /// <summary>Every unfinished transfer and the <paramref name="recentFinished"/> most recent others, newest first.</summary>
    Task<IReadOnlyList<Transfer>> LoadTransfersAsync(int recentFinished);
}
