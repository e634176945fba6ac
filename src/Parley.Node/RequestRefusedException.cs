namespace Parley.Node;

/// <summary>A request a service cannot carry out, with the HTTP status that fits; the API answers with both.</summary>
public abstract class RequestRefusedException(string message, int status) : Exception(message)
{
    public int Status { get; } = status;
}
