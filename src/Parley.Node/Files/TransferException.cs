namespace Parley.Node.Files;

/// <summary>A transfer request that cannot be carried out; the message says why (the API answers 400 with it).</summary>
public sealed class TransferException(string message) : Exception(message);
