using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;

namespace Parley.Core.Tests.Links;

/// <summary>Two identities and a loopback listener, to make real TLS links between them.</summary>
internal sealed class LinkHarness : IAsyncDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public LinkHarness(LinkOptions? options = null)
    {
        Options = options ?? new LinkOptions();
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(8);
    }

    public LinkOptions Options { get; }

    public NodeIdentity Client { get; } = NodeIdentity.CreateEphemeral();

    public NodeIdentity Server { get; } = NodeIdentity.CreateEphemeral();

    public IPEndPoint Endpoint => (IPEndPoint)_listener.LocalEndPoint!;

    public static Hello HelloOf(NodeIdentity identity, string name) =>
        new(Hello.CurrentVersion, identity.DeviceId, 0, 1, HelloFlags.Contact, name);

    /// <summary>Client dials the server; both ends are returned once both handshakes are done.</summary>
    public async Task<(PeerLink Client, PeerLink Server)> ConnectAsync(DeviceId? expected = null)
    {
        var accept = AcceptOneAsync();
        var client = await new LinkEstablisher(Client, Options, NullLoggerFactory.Instance)
            .ConnectAsync(Endpoint, expected ?? Server.DeviceId, _ => HelloOf(Client, "client"), CancellationToken.None);
        return (client, await accept);
    }

    public async Task<PeerLink> AcceptOneAsync()
    {
        var socket = await _listener.AcceptAsync();
        var establisher = new LinkEstablisher(Server, Options, NullLoggerFactory.Instance);
        using var ticket = establisher.Gate.TryAdmit(((IPEndPoint)socket.RemoteEndPoint!).Address)!;
        try
        {
            await ticket.ReadyAsync(socket, CancellationToken.None);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
        return await establisher.AcceptAsync(socket, ticket, _ => HelloOf(Server, "server"), CancellationToken.None);
    }

    /// <summary>A hand-made client: real TLS and hello, then whatever bytes the test writes, reading nothing unless told; and the server's end.</summary>
    public async Task<(TcpClient Tcp, SslStream Tls, PeerLink Server)> RawPeerAsync(string name = "mallory")
    {
        var accept = AcceptOneAsync();
        var tcp = new TcpClient();
        await tcp.ConnectAsync(Endpoint);
        var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "parley",
            EnabledSslProtocols = SslProtocols.Tls13,
            ClientCertificates = [Client.Certificate],
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        });
        await tls.WriteAsync(FrameWriter.ToArray(FrameType.Hello, 0, HelloOf(Client, name).ToArray()));
        return (tcp, tls, await accept);
    }

    public ValueTask DisposeAsync()
    {
        _listener.Dispose();
        Client.Dispose();
        Server.Dispose();
        return ValueTask.CompletedTask;
    }
}
