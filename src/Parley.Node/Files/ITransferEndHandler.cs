namespace Parley.Node.Files;

/// <summary>Told once when a transfer reaches a final state (the outbox clears its staged files then).</summary>
internal interface ITransferEndHandler
{
    void OnTransferEnded(Transfer transfer);
}
