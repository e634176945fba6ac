using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;

namespace Parley.Testing;

/// <summary>
/// A stranger's client, for tests that attack a node or a hub as an outsider would: a real TLS 1.3
/// handshake with a throwaway certificate, a real hello, then whatever frames (or bytes) the test
/// sends. It reads only when told to, so a flood of requests whose answers are never read piles up
/// on the victim's side, as it would from a hostile client. Every loop is bounded in count and time.
/// </summary>
public sealed class AttackerLink : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly SslStream _tls;
    private byte[] _unread = [];

    private Hello? _theirs;

    private AttackerLink(TcpClient tcp, SslStream tls, NodeIdentity identity)
    {
        _tcp = tcp;
        _tls = tls;
        Identity = identity;
    }

    public NodeIdentity Identity { get; }

    /// <summary>The victim's hello (read during <see cref="ConnectAsync"/>).</summary>
    public Hello TheirHello => _theirs ?? throw new InvalidOperationException("not connected");

    /// <summary>Bytes written so far (what the attack cost the attacker).</summary>
    public long BytesSent { get; private set; }

    /// <summary>Dials <paramref name="target"/>, proves a fresh identity (or <paramref name="identity"/>), says hello and reads the victim's.</summary>
    public static async Task<AttackerLink> ConnectAsync(IPEndPoint target, string name = "mallory", NodeIdentity? identity = null,
        HelloFlags flags = HelloFlags.None, CancellationToken cancellationToken = default)
    {
        identity ??= NodeIdentity.CreateEphemeral();
        var tcp = new TcpClient();
        await tcp.ConnectAsync(target, cancellationToken);
        var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "parley",
            EnabledSslProtocols = SslProtocols.Tls13,
            ClientCertificates = [identity.Certificate],
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
        }, cancellationToken);
        var ours = new Hello(Hello.CurrentVersion, identity.DeviceId, 0, 0, flags, name);
        await tls.WriteAsync(FrameWriter.ToArray(FrameType.Hello, 0, ours.ToArray()), cancellationToken);
        var link = new AttackerLink(tcp, tls, identity);
        var frame = await link.ReadFrameAsync(TimeSpan.FromSeconds(10)) ?? throw new IOException("no hello from the victim");
        link._theirs = WireMessage.Read<Hello>(frame.Payload);
        return link;
    }

    public Task SendAsync<T>(FrameType type, T message) where T : IWireMessage<T> => SendRawAsync(FrameWriter.ToArray(type, 0, message.ToArray()));

    public async Task SendRawAsync(byte[] bytes)
    {
        await _tls.WriteAsync(bytes);
        BytesSent += bytes.Length;
    }

    /// <summary>
    /// Writes <paramref name="frame"/> again and again, never reading, until <paramref name="count"/>
    /// copies are out, <paramref name="duration"/> has passed, or the victim stops taking them
    /// (closed, or its TCP window full for a second). Returns how many went out.
    /// </summary>
    public async Task<long> FloodAsync(byte[] frame, long count, TimeSpan duration)
    {
        const int PerWrite = 64;
        var batch = new byte[frame.Length * PerWrite];
        for (var i = 0; i < PerWrite; i++)
        {
            frame.CopyTo(batch, i * frame.Length);
        }
        var deadline = DateTime.UtcNow + duration;
        long sent = 0;
        try
        {
            while (sent < count && DateTime.UtcNow < deadline)
            {
                using var stalled = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                await _tls.WriteAsync(batch, stalled.Token);
                sent += PerWrite;
                BytesSent += batch.Length;
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The victim closed the link, or stopped reading: either way the flood is over.
        }
        return sent;
    }

    /// <summary>The next whole frame the victim sent (its payload copied), or null if none came within <paramref name="timeout"/> or the link ended.</summary>
    public async Task<(FrameType Type, ReadOnlySequence<byte> Payload)?> ReadFrameAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var sequence = new ReadOnlySequence<byte>(_unread);
            if (FrameReader.TryRead(ref sequence, KnownFrames.Table, out var frame, out _) == ReadResultKind.Frame)
            {
                var copy = new ReadOnlySequence<byte>(frame.Payload.ToArray());
                _unread = sequence.ToArray();
                return (frame.Type, copy);
            }
            int read;
            try
            {
                read = await _tls.ReadAsync(buffer, cancel.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException)
            {
                return null;
            }
            if (read == 0)
            {
                return null;
            }
            _unread = [.. _unread, .. buffer.AsSpan(0, read)];
        }
    }

    /// <summary>Reads until the victim closes the link; its Close frame's message, or null if the socket just ended (or nothing within the timeout).</summary>
    public async Task<CloseMessage?> WaitClosedAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline && await ReadFrameAsync(deadline - DateTime.UtcNow) is { } frame)
        {
            if (frame.Type == FrameType.Close)
            {
                return WireMessage.Read<CloseMessage>(frame.Payload);
            }
        }
        return null;
    }

    public ValueTask DisposeAsync()
    {
        _tls.Dispose();
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>Connections that never finish a handshake: slow-loris sockets and partial preambles.</summary>
public static class RawConnections
{
    /// <summary>Opens <paramref name="count"/> TCP connections to <paramref name="target"/> that send <paramref name="firstBytes"/> (or nothing) and then wait.</summary>
    public static async Task<IReadOnlyList<Socket>> OpenAsync(IPEndPoint target, int count, byte[]? firstBytes = null)
    {
        var sockets = new List<Socket>(count);
        for (var i = 0; i < count; i++)
        {
            var socket = new Socket(target.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await socket.ConnectAsync(target).WaitAsync(TimeSpan.FromSeconds(5));
                if (firstBytes is { Length: > 0 })
                {
                    await socket.SendAsync(firstBytes);
                }
            }
            catch (Exception e) when (e is SocketException or TimeoutException)
            {
                // The victim's backlog is full or it refused: the attack has done what it can.
                socket.Dispose();
                continue;
            }
            sockets.Add(socket);
        }
        return sockets;
    }
}
