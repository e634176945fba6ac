using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Parley.Core.Hub.Relay;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Tests;
using Parley.Testing;

namespace Parley.Hub.Tests.Security;

/// <summary>
/// Relayed links are admitted by the same handshake budget as the listener's: strangers who ask the
/// hub for many relays to a node and stall each TLS handshake after its ClientHello hold at most one
/// source's handshake slots there, not as many handshakes as they can ask for.
/// </summary>
public sealed class RelayedHandshakeTests : HubTestBase
{
    /// <summary>Passes the first write (the ClientHello) and stalls every later one; notes when the far end answered.</summary>
    private sealed class StallAfterHello(Stream inner) : Stream
    {
        private int _writes;

        public TaskCompletionSource Answered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (Interlocked.Increment(ref _writes) > 1)
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            await inner.WriteAsync(buffer, cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var read = await inner.ReadAsync(buffer, cancellationToken);
            if (read > 0)
            {
                Answered.TrySetResult();
            }
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }

    private static async Task<RelayTicket> NextTicketAsync(AttackerLink asker)
    {
        while (await asker.ReadFrameAsync(Wait.Patience) is { } frame)
        {
            if (frame.Type == FrameType.RelayTicket)
            {
                return WireMessage.Read<RelayTicket>(frame.Payload);
            }
            Assert.NotEqual(FrameType.RelayRefused, frame.Type);
        }
        throw new TimeoutException("no relay ticket");
    }

    [Fact]
    public async Task StrangersStallingRelayedHandshakes_GetAtMostOneSourcesSlots_AtTheNode()
    {
        await using var bob = await OnHubAsync("bob");
        var hub = new IPEndPoint(IPAddress.Loopback, Hub.Port);
        var perSource = new LinkOptions().MaxHandshakesPerAddress;
        using var stop = new CancellationTokenSource();
        var askers = new List<AttackerLink>();
        var stalls = new List<(Socket Socket, StallAfterHello Stream, SslStream Tls, NodeIdentity Identity)>();
        try
        {
            // Four throwaway members ask for four relays each: twice the slots one source may hold.
            for (var a = 0; a < 4; a++)
            {
                var asker = await AttackerLink.ConnectAsync(hub, $"asker{a}");
                askers.Add(asker);
                for (var r = 1; r <= 4; r++)
                {
                    await asker.SendAsync(FrameType.RelayRequest, new RelayRequest(bob.Id, (uint)r));
                }
                for (var r = 1; r <= 4; r++)
                {
                    var ticket = await NextTicketAsync(asker);
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    await socket.ConnectAsync(hub);
                    await socket.SendAsync((byte[])[.. RelayTicket.Preamble, .. ticket.Token]);
                    var stream = new StallAfterHello(new NetworkStream(socket, ownsSocket: false));
                    var identity = NodeIdentity.CreateEphemeral();
                    var tls = new SslStream(stream);
                    _ = tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                    {
                        TargetHost = "parley",
                        EnabledSslProtocols = SslProtocols.Tls13,
                        ClientCertificates = [identity.Certificate],
                        RemoteCertificateValidationCallback = (_, _, _, _) => true,
                    }, stop.Token).ContinueWith(t => t.Exception, TaskScheduler.Default);
                    stalls.Add((socket, stream, tls, identity));
                }
            }
            // Every side is attached and spliced within moments; the node answers only those it gave a slot.
            await Task.Delay(TimeSpan.FromSeconds(2));
            var answered = stalls.Count(s => s.Stream.Answered.Task.IsCompleted);
            Assert.InRange(answered, 1, perSource);
            Assert.True(bob.Node.Hub.Connected);
        }
        finally
        {
            await stop.CancelAsync();
            foreach (var (socket, stream, tls, identity) in stalls)
            {
                tls.Dispose();
                socket.Dispose();
                identity.Dispose();
            }
            foreach (var asker in askers)
            {
                await asker.DisposeAsync();
            }
        }
    }
}
