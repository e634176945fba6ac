using System.Net;

namespace Parley.Core.Traversal.PortMapping;

/// <summary>Which transport a mapping forwards.</summary>
public enum MappedProtocol
{
    Udp,
    Tcp,
}

/// <summary>
/// A port the local router forwards to us: connections (or datagrams) to <see cref="External"/> reach
/// <see cref="InternalPort"/> on this host until <see cref="Lifetime"/> runs out, unless renewed.
/// </summary>
/// <param name="Method">Who granted it: "PCP", "NAT-PMP" or "UPnP".</param>
public sealed record ForwardedPort(MappedProtocol Protocol, int InternalPort, IPEndPoint External, TimeSpan Lifetime, string Method)
{
    public override string ToString() => $"{Protocol.ToString().ToUpperInvariant()} {External} -> :{InternalPort} by {Method} for {Lifetime.TotalSeconds:0} s";
}

/// <summary>
/// One way of asking the router for a forwarded port. Implementations never throw on what the network
/// sends back (a bad, late or missing answer is a null); only cancellation ends them early.
/// </summary>
public interface IPortMapper
{
    /// <summary>"PCP", "NAT-PMP" or "UPnP".</summary>
    string Method { get; }

    /// <summary>Maps (or renews) <paramref name="internalPort"/>, asking for the same port outside; null when the router would not.</summary>
    Task<ForwardedPort?> MapAsync(MappedProtocol protocol, int internalPort, TimeSpan lifetime, CancellationToken cancellationToken);

    /// <summary>Asks the router to drop the mapping; best effort (a router that does not answer keeps it until its lifetime ends).</summary>
    Task DeleteAsync(ForwardedPort port, CancellationToken cancellationToken);
}
