using System.Net;

namespace Parley.Core.Traversal;

/// <summary>
/// A relay that gives us an address of its own for media: peers send datagrams to
/// <see cref="RelayedAddress"/> and the relay passes them to us; we send through it and they arrive
/// from that address. Only peers we permitted get through, in either direction. Implemented by the
/// hub's UDP relay and by TURN (RFC 8656); a call treats both alike, as relay candidates.
/// </summary>
public interface IMediaRelay : IAsyncDisposable
{
    /// <summary>"hub-udp" or "turn": shown as the call's path.</summary>
    string Kind { get; }

    /// <summary>Where peers send to reach us through the relay.</summary>
    IPEndPoint RelayedAddress { get; }

    /// <summary>Lets datagrams from (and to) <paramref name="peer"/> through; kept alive until disposed.</summary>
    Task PermitAsync(IPEndPoint peer, CancellationToken cancellationToken);

    /// <summary>Sends one datagram to <paramref name="peer"/> through the relay (permitted peers only).</summary>
    ValueTask SendAsync(IPEndPoint peer, ReadOnlyMemory<byte> datagram, CancellationToken cancellationToken);

    /// <summary>The next datagram a permitted peer sent to our relayed address.</summary>
    ValueTask<(IPEndPoint From, int Length)> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken);
}
