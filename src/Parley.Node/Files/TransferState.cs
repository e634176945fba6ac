namespace Parley.Node.Files;

/// <summary>Where a transfer stands. Completed, Rejected, Cancelled and Failed are final.</summary>
public enum TransferState
{
    /// <summary>Outgoing: offered, waiting for the receiver to answer.</summary>
    Offered,

    /// <summary>Incoming: waiting for the user to accept or reject.</summary>
    Pending,

    /// <summary>Accepted and moving (or waiting for the peer to come back to move again).</summary>
    Active,

    /// <summary>Stopped by the receiver for a reason it can recover from (disk full); resumes by itself.</summary>
    Paused,

    Completed,
    Rejected,
    Cancelled,
    Failed,
}
