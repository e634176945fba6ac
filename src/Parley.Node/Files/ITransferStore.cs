namespace Parley.Node.Files;

/// <summary>Where transfers are kept (the seam over <see cref="Storage.NodeStore"/>, so transfer rules can run on a fake).</summary>
internal interface ITransferStore
{
    /// <summary>Stores a new transfer with its file list.</summary>
    Task InsertTransferAsync(Transfer transfer);

    /// <summary>Records a transfer's state, folder and error.</summary>
    Task UpdateTransferAsync(Transfer transfer);

    /// <summary>Records one file's final path and whether it is done.</summary>
    Task UpdateTransferFileAsync(Guid transfer, TransferFile file);

    /// <summary>Every unfinished transfer and the <paramref name="recentFinished"/> most recent others, newest first.</summary>
    Task<IReadOnlyList<Transfer>> LoadTransfersAsync(int recentFinished);
}
