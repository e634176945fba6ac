namespace Parley.Core.Protocol;

/// <summary>The peer broke the protocol; the link closes with this message as its reason.</summary>
public sealed class ProtocolException(string message) : Exception(message);
