using Parley.Core.Chat;
using System.Buffers;
using System.Collections.Concurrent;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;

namespace Parley.Core.Tests.Links;

public class PeerLinkTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static FrameHandler Collect(ConcurrentQueue<(FrameType, byte[])> into) => (_, frame) =>
    {
        into.Enqueue((frame.Type, frame.Payload.ToArray()));
        return ValueTask.CompletedTask;
    };

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting");
            await Task.Delay(10);
        }
    }

    [Fact]
    public async Task Connect_ExchangesHellos_OverTls13_AndCarriesFrames()
    {
        await using var harness = new LinkHarness();
        var (client, server) = await harness.ConnectAsync();
        Assert.Equal(harness.Server.DeviceId, client.RemoteId);
        Assert.Equal(harness.Client.DeviceId, server.RemoteId);
        Assert.Equal("server", client.RemoteHello.Name);
        Assert.Equal(Hello.CurrentVersion, client.Version);
        var received = new ConcurrentQueue<(FrameType, byte[])>();
        server.Start(Collect(received));
        client.Start(Collect(new()));
        var id = Guid.NewGuid();
        Assert.True(client.TrySend(FrameType.ChatAck, id.ToByteArray()));
        await WaitUntil(() => !received.IsEmpty);
        Assert.True(received.TryDequeue(out var frame));
        Assert.Equal(FrameType.ChatAck, frame.Item1);
        Assert.Equal(id.ToByteArray(), frame.Item2);
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Connect_WrongDeviceId_IsRefused()
    {
        await using var harness = new LinkHarness();
        using var stranger = NodeIdentity.CreateEphemeral();
        var accept = harness.AcceptOneAsync();
        var error = await Assert.ThrowsAsync<LinkFailedException>(() => harness.ConnectAsync(stranger.DeviceId));
        Assert.Contains("device ID mismatch", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<LinkFailedException>(() => accept);
    }

    [Fact]
    public async Task Close_TellsThePeerWhy()
    {
        await using var harness = new LinkHarness();
        var (client, server) = await harness.ConnectAsync();
        client.Start(Collect(new()));
        server.Start(Collect(new()));
        await client.CloseAsync(CloseCode.Shutdown, "shutting down");
        var closed = await server.Closed.WaitAsync(Patience);
        Assert.Equal(new LinkClosed(CloseCode.Shutdown, "shutting down", ByRemote: true), closed);
        Assert.False((await client.Closed).ByRemote);
    }

    [Fact]
    public async Task Garbage_AfterHandshake_ClosesWithProtocolErrorReason()
    {
        await using var harness = new LinkHarness();
        // A hand-made client: real TLS and hello, then a frame of an unknown type.
        var (tcp, tls, server) = await harness.RawPeerAsync("evil");
        using var client = tcp;
        await using var clientTls = tls;
        server.Start(Collect(new()));
        // 0xFE: a type no version of the protocol uses (0x77 was, until blob frames took it).
        Assert.False(Enum.IsDefined((FrameType)0xFE));
        await tls.WriteAsync(new byte[] { 0, 0, 0, 1, 0xFE, 0, 0 });
        var closed = await server.Closed.WaitAsync(Patience);
        Assert.Equal(CloseCode.ProtocolError, closed.Code);
        Assert.Contains("unknown frame type 0xfe", closed.Reason, StringComparison.Ordinal);
        // The server told the client why before closing.
        var reply = new byte[4096];
        var length = 0;
        while (await tls.ReadAsync(reply.AsMemory(length)) is var n and > 0)
        {
            length += n;
        }
        var buffer = new ReadOnlySequence<byte>(reply, 0, length);
        Assert.Equal(ReadResultKind.Frame, FrameReader.TryRead(ref buffer, Parley.Core.Links.KnownFrames.Table, out var hello, out _));
        Assert.Equal(FrameType.Hello, hello.Type);
        Assert.Equal(ReadResultKind.Frame, FrameReader.TryRead(ref buffer, Parley.Core.Links.KnownFrames.Table, out var close, out _));
        Assert.Equal(FrameType.Close, close.Type);
        Assert.True(CloseMessage.TryRead(close.Payload, out var message, out _));
        Assert.Equal(CloseCode.ProtocolError, message!.Code);
    }

    [Fact]
    public async Task PlainTcpClient_FailsHandshake_WithoutHurtingListener()
    {
        await using var harness = new LinkHarness();
        var accept = harness.AcceptOneAsync();
        using (var tcp = new TcpClient())
        {
            await tcp.ConnectAsync(harness.Endpoint);
            await tcp.GetStream().WriteAsync("GET / HTTP/1.1\r\n\r\n"u8.ToArray());
        }
        await Assert.ThrowsAsync<LinkFailedException>(() => accept);
        var (client, server) = await harness.ConnectAsync();
        Assert.Equal(harness.Client.DeviceId, server.RemoteId);
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Silence_PastIdleTimeout_ClosesAsTimedOut()
    {
        var time = new ManualTimeProvider();
        await using var harness = new LinkHarness(new LinkOptions
        {
            TimeProvider = time,
            KeepaliveInterval = TimeSpan.FromSeconds(30),
            IdleTimeout = TimeSpan.FromSeconds(90),
        });
        var (client, server) = await harness.ConnectAsync();
        // Only the client runs its loops: the server never answers, like a peer that vanished.
        client.Start(Collect(new()));
        await WaitUntil(() => time.PendingTimers > 0); // the keepalive timer exists
        time.Advance(TimeSpan.FromSeconds(60));
        Assert.False(client.IsClosed);
        time.Advance(TimeSpan.FromSeconds(31));
        var closed = await client.Closed.WaitAsync(Patience);
        Assert.Equal(CloseCode.TimedOut, closed.Code);
        Assert.Equal("nothing heard for 90 s", closed.Reason);
        // The silent side, once it looks, finds the link gone (by the close frame or the reset that follows it).
        server.Start(Collect(new()));
        Assert.True((await server.Closed.WaitAsync(Patience)).ByRemote);
    }

    [Fact]
    public async Task Traffic_KeepsLinkAlive_PastIdleTimeout()
    {
        var time = new ManualTimeProvider();
        await using var harness = new LinkHarness(new LinkOptions { TimeProvider = time });
        var (client, server) = await harness.ConnectAsync();
        client.Start(Collect(new()));
        server.Start(Collect(new()));
        await WaitUntil(() => time.PendingTimers >= 2);
        for (var i = 0; i < 40; i++)
        {
            time.Advance(TimeSpan.FromSeconds(2)); // 80 s in all, more than five idle timeouts, in steps shorter than a keepalive
            await Task.Delay(50); // let pings and pongs cross the real sockets
        }
        Assert.False(client.IsClosed);
        Assert.False(server.IsClosed);
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task ControlFrame_OvertakesQueuedBulkFrames()
    {
        await using var harness = new LinkHarness(new LinkOptions { BulkQueueLimit = 64 });
        var (client, server) = await harness.ConnectAsync();
        var order = new ConcurrentQueue<(FrameType, byte[])>();
        var gate = new TaskCompletionSource();
        // The receiver holds its first frame until everything is queued, so the sender's queues fill up.
        server.Start(async (link, frame) =>
        {
            await gate.Task;
            order.Enqueue((frame.Type, frame.Payload.ToArray()));
        });
        client.Start(Collect(new()));
        var big = new ChatMessage(Guid.Empty, DateTimeOffset.UnixEpoch, new string('x', ChatMessage.MaxTextBytes)).ToArray();
        for (var i = 0; i < 40; i++)
        {
            Assert.True(await client.SendBulkAsync(FrameType.ChatMessage, big));
        }
        Assert.True(client.TrySend(FrameType.ChatAck, Guid.NewGuid().ToByteArray()));
        gate.SetResult();
        await WaitUntil(() => order.Count == 41);
        var position = order.ToList().FindIndex(f => f.Item1 == FrameType.ChatAck);
        Assert.InRange(position, 0, 39); // 40 would mean it waited behind every bulk frame
        await client.DisposeAsync();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task PayloadOverItsCap_IsRefusedAtTheCaller_AndTheLinkKeepsWorking()
    {
        await using var harness = new LinkHarness();
        var (client, server) = await harness.ConnectAsync();
        var received = new ConcurrentQueue<(FrameType, byte[])>();
        server.Start(Collect(received));
        client.Start(Collect(new()));
        Assert.Throws<ArgumentException>(() => client.TrySend(FrameType.ChatAck, new byte[17]));
        Assert.True(client.TrySend(FrameType.ChatAck, new byte[16]));
        await WaitUntil(() => !received.IsEmpty);
        await client.DisposeAsync();
        await server.DisposeAsync();
    }
}
