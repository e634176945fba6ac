using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Links;

/// <summary>The link could not be set up: wrong device, bad handshake, timeout or refused connection.</summary>
public sealed class LinkFailedException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Turns a TCP connection into a <see cref="PeerLink"/>: TLS 1.3 with both certificates, the peer's
/// device ID taken from its certificate (and checked against the expected one when dialing), then
/// one Hello frame each way.
/// </summary>
public sealed class LinkEstablisher(NodeIdentity identity, LinkOptions options, ILoggerFactory loggerFactory)
{
    private readonly SslStreamCertificateContext _certificateContext = SslStreamCertificateContext.Create(identity.Certificate, null, offline: true);
    private readonly ILogger _logger = loggerFactory.CreateLogger("Parley.Link");

    /// <summary>
    /// The handshake budget every accepted link is charged to: the listener's connections and relayed
    /// ones alike. Links we dial are not: each is to a contact (or the hub), one at a time, never at
    /// a stranger's asking, and an inbound flood must not keep us from dialing out.
    /// </summary>
    public HandshakeGate Gate { get; } = new(options);

    /// <summary>
    /// Dials <paramref name="endpoint"/> and proves it is <paramref name="expected"/>. When several paths
    /// are raced, <paramref name="claim"/> is asked once TLS has proven the peer and before our hello goes
    /// out: only the attempt it says yes to sends a hello, so the peer links only once.
    /// </summary>
    public async Task<PeerLink> ConnectAsync(IPEndPoint endpoint, DeviceId expected, Func<DeviceId, Hello> helloFor, CancellationToken cancellationToken,
        Func<bool>? claim = null)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.HandshakeTimeout);
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new LinkFailedException($"could not link to {endpoint}: {Describe(e)}", e);
        }
        return await ConnectOverAsync(socket, endpoint, expected, helloFor, relayed: false, cancellationToken, claim).ConfigureAwait(false);
    }

    /// <summary>
    /// As <see cref="ConnectAsync"/>, over a connection that is already open: a relay connection
    /// through a hub, where TLS still runs end to end between the two nodes.
    /// </summary>
    public async Task<PeerLink> ConnectOverAsync(Socket socket, IPEndPoint endpoint, DeviceId expected, Func<DeviceId, Hello> helloFor, bool relayed,
        CancellationToken cancellationToken, Func<bool>? claim = null)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.HandshakeTimeout);
        socket.NoDelay = true;
        LimitUnsentBytes(socket);
        try
        {
            var gather = new WriteGatherStream(new ReadAheadStream(new NetworkStream(socket, ownsSocket: true)));
            var stream = new SslStream(gather, leaveInnerStreamOpen: false);
            var client = new SslClientAuthenticationOptions
            {
                TargetHost = "parley",
                EnabledSslProtocols = SslProtocols.Tls13,
                ClientCertificateContext = _certificateContext,
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null,
            };
            return await HandshakeAsync(stream, gather, s => s.AuthenticateAsClientAsync(client, timeout.Token), expected, helloFor,
                LinkDirection.Outbound, endpoint, relayed, timeout.Token, claim).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or IOException or AuthenticationException or OperationCanceledException
            && !cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new LinkFailedException($"could not link to {endpoint}: {Describe(e)}", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Completes TLS and the hello on an accepted socket, holding <paramref name="ticket"/>'s slot of
    /// <see cref="Gate"/> (see <see cref="HandshakeTicket.ReadyAsync"/>). Any device may connect; policy is the caller's.
    /// </summary>
    public async Task<PeerLink> AcceptAsync(Socket socket, HandshakeTicket ticket, Func<DeviceId, Hello> helloFor, CancellationToken cancellationToken,
        bool relayed = false)
    {
        if (!ticket.Handshaking)
        {
            throw new InvalidOperationException("an accepted handshake runs only in a slot of the gate: await the ticket's ReadyAsync first");
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.HandshakeTimeout);
        socket.NoDelay = true;
        LimitUnsentBytes(socket);
        var remote = (IPEndPoint)socket.RemoteEndPoint!;
        var gather = new WriteGatherStream(new ReadAheadStream(new NetworkStream(socket, ownsSocket: true)));
        var stream = new SslStream(gather, leaveInnerStreamOpen: false);
        var server = new SslServerAuthenticationOptions
        {
            EnabledSslProtocols = SslProtocols.Tls13,
            ServerCertificateContext = _certificateContext,
            ClientCertificateRequired = true,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null,
        };
        try
        {
            return await HandshakeAsync(stream, gather, s => s.AuthenticateAsServerAsync(server, timeout.Token), expected: null, helloFor,
                LinkDirection.Inbound, remote, relayed, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or AuthenticationException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw new LinkFailedException($"handshake with {remote} failed: {Describe(e)}", e);
        }
    }

    private async Task<PeerLink> HandshakeAsync(SslStream stream, WriteGatherStream gather, Func<SslStream, Task> authenticate, DeviceId? expected,
        Func<DeviceId, Hello> helloFor, LinkDirection direction, IPEndPoint remote, bool relayed, CancellationToken cancellationToken,
        Func<bool>? claim = null)
    {
        try
        {
            await authenticate(stream).ConfigureAwait(false);
            if (stream.RemoteCertificate is not X509Certificate2 certificate)
            {
                throw new LinkFailedException("peer sent no certificate");
            }
            var remoteId = DeviceId.FromCertificate(certificate);
            if (expected is { } want && want != remoteId)
            {
                throw new LinkFailedException($"device ID mismatch at {remote}: expected {want.Short}, got {remoteId.Short}");
            }
            if (claim is not null && !claim())
            {
                throw new LinkFailedException("another path linked first");
            }
            var ours = helloFor(remoteId);
            var writer = PipeWriter.Create(stream, new StreamPipeWriterOptions(leaveOpen: true));
            var encoded = ours.ToArray();
            FrameWriter.Write(writer, FrameType.Hello, 0, encoded);
            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
            LogHello("->", remoteId, encoded.Length);
            // Large reads (TLS records are up to 16 KiB, file blocks 256 KiB; 4 KiB reads cost a lot), but
            // zero-byte reads while idle, so an idle link holds no read buffer (a hub keeps thousands).
            var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 128 * 1024, minimumReadSize: 32 * 1024, leaveOpen: true,
                useZeroByteReads: true));
            var theirs = await ReadHelloAsync(reader, cancellationToken).ConfigureAwait(false);
            LogHello("<-", remoteId, theirs.ToArray().Length);
            if (theirs.DeviceId != remoteId)
            {
                throw new LinkFailedException("hello device ID differs from the certificate's");
            }
            var version = Math.Min(theirs.Version, Hello.CurrentVersion);
            return new PeerLink(stream, gather, reader, ours, theirs, (ushort)version, direction, remote, options, _logger) { Relayed = relayed };
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private void LogHello(string direction, DeviceId peer, int size)
    {
        if (options.LogProtocol)
        {
            LinkLog.Frame(_logger, direction, peer.Short, FrameType.Hello, size);
        }
    }

    private static async Task<Hello> ReadHelloAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            var kind = FrameReader.TryRead(ref buffer, LinkFrames.Handshake, out var frame, out var error);
            if (kind == ReadResultKind.Frame)
            {
                Hello? hello = null;
                var ok = frame.Type == FrameType.Hello && Hello.TryRead(frame.Payload, out hello, out error);
                reader.AdvanceTo(buffer.Start);
                return ok ? hello! : throw new LinkFailedException(frame.Type == FrameType.Hello ? error : $"expected hello, got {frame.Type}");
            }
            if (kind == ReadResultKind.Error)
            {
                throw new LinkFailedException(error);
            }
            if (result.IsCompleted)
            {
                throw new LinkFailedException("peer closed the connection during the handshake");
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    /// <summary>
    /// TCP_NOTSENT_LOWAT (Linux): keep at most 128 KiB of not-yet-sent bulk data in the kernel, so
    /// the rest waits in the link's own queue, where a chat frame can still go first.
    /// </summary>
    private static void LimitUnsentBytes(Socket socket)
    {
        const int IpProtoTcp = 6;
        const int TcpNotSentLowat = 25;
        if (OperatingSystem.IsLinux())
        {
            socket.SetRawSocketOption(IpProtoTcp, TcpNotSentLowat, BitConverter.GetBytes(128 * 1024));
        }
    }

    private static string Describe(Exception e) => e switch
    {
        OperationCanceledException => "timed out",
        SocketException s => s.SocketErrorCode.ToString(),
        _ => e.Message,
    };
}
