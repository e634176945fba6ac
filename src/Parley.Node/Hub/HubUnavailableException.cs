namespace Parley.Node.Hub;

/// <summary>The node has no hub, the hub is not linked, or it did not answer; the API answers 503.</summary>
public sealed class HubUnavailableException(string message) : InvalidOperationException(message);
