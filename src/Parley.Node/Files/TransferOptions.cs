namespace Parley.Node.Files;

/// <summary>What a contact's offers may cost this node before the person answers them.</summary>
public sealed record TransferOptions
{
    /// <summary>
    /// Offers from one peer that may wait for an answer at once; more are refused with the reason and
    /// not stored (each waiting offer keeps a row per file, up to 100,000). Defaults to 100.
    /// </summary>
    public int MaxWaitingOffersPerPeer { get; init; } = 100;
}
