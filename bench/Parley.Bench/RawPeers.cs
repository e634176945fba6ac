using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Parley.Core.Identity;

namespace Parley.Bench;

/// <summary>The baselines: the same exchanges over a bare socket and a bare TLS 1.3 stream, no framing logic, no storage.</summary>
internal static class RawPeers
{
    public static async Task<double[]> TcpRoundTripsAsync(int count, int requestSize, int replySize)
    {
        var (client, server) = await ConnectAsync();
        using (client)
        using (server)
        {
            return await PingPongAsync(client.GetStream(), server.GetStream(), count, requestSize, replySize);
        }
    }

    public static async Task<double[]> TlsRoundTripsAsync(int count, int requestSize, int replySize)
    {
        var (client, server, tcpA, tcpB) = await ConnectTlsAsync();
        using (tcpA)
        using (tcpB)
        {
            return await PingPongAsync(client, server, count, requestSize, replySize);
        }
    }

    public static async Task<double> TlsOneWayRateAsync(int count, int frameSize)
    {
        var (client, server, tcpA, tcpB) = await ConnectTlsAsync();
        using (tcpA)
        using (tcpB)
        {
            var total = (long)count * frameSize;
            var reader = Task.Run(async () =>
            {
                var buffer = new byte[64 * 1024];
                long read = 0;
                while (read < total)
                {
                    read += await server.ReadAsync(buffer);
                }
            });
            var watch = Stopwatch.StartNew();
            // One write (one TLS record) per message, as a sender that does not batch would do.
            var frame = new byte[frameSize];
            for (var sent = 0; sent < count; sent++)
            {
                await client.WriteAsync(frame);
            }
            await reader;
            return count / watch.Elapsed.TotalSeconds;
        }
    }

    private static async Task<double[]> PingPongAsync(Stream client, Stream server, int count, int requestSize, int replySize)
    {
        var echo = Task.Run(async () =>
        {
            var request = new byte[requestSize];
            var reply = new byte[replySize];
            for (var i = 0; i < count + 200; i++)
            {
                await server.ReadExactlyAsync(request);
                await server.WriteAsync(reply);
            }
        });
        var samples = new double[count];
        var send = new byte[requestSize];
        var receive = new byte[replySize];
        for (var i = -200; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await client.WriteAsync(send);
            await client.ReadExactlyAsync(receive);
            if (i >= 0)
            {
                samples[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            }
        }
        await echo;
        return samples;
    }

    private static async Task<(TcpClient Client, TcpClient Server)> ConnectAsync()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var client = new TcpClient { NoDelay = true };
        var accept = listener.AcceptTcpClientAsync();
        await client.ConnectAsync((IPEndPoint)listener.LocalEndpoint);
        var server = await accept;
        server.NoDelay = true;
        listener.Stop();
        return (client, server);
    }

    private static async Task<(SslStream Client, SslStream Server, TcpClient A, TcpClient B)> ConnectTlsAsync()
    {
        var (a, b) = await ConnectAsync();
        using var identityA = NodeIdentity.CreateEphemeral();
        using var identityB = NodeIdentity.CreateEphemeral();
        var client = new SslStream(a.GetStream());
        var server = new SslStream(b.GetStream());
        await Task.WhenAll(
            client.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "parley",
                EnabledSslProtocols = SslProtocols.Tls13,
                ClientCertificates = [identityA.Certificate],
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            }),
            server.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
            {
                EnabledSslProtocols = SslProtocols.Tls13,
                ServerCertificate = identityB.Certificate,
                ClientCertificateRequired = true,
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            }));
        return (client, server, a, b);
    }
}
