using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Core.Calls;
using Parley.Core.Tests;
using Parley.Node.Calls;

namespace Parley.Node.Tests.Calls;

/// <summary>
/// A call's media socket under a flood, on a real UDP socket. The call ID travels in the clear and
/// a source address can be forged, so a stranger can send datagrams that look like the peer's; only
/// packets that open with the peer's key may count against the peer (and end the call). The clock
/// stands still, so every packet below falls in one second's budget however slowly the test sends.
/// </summary>
public sealed class MediaFloodTests : IAsyncLifetime
{
    private const uint CallId = 0xF100D;
    private readonly ManualTimeProvider _clock = new();
    private readonly byte[] _secret = RandomNumberGenerator.GetBytes(MediaCrypto.SecretSize);
    private readonly UdpClient _peer = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly Heard _heard = new();
    private TestNode _node = null!;
    private MediaSocket _socket = null!;
    private MediaSession _callee = null!;
    private MediaSession _caller = null!;
    private int _floods;

    private sealed class Heard : IMediaSessionListener
    {
        private int _frames;

        public int Frames => Volatile.Read(ref _frames);

        public void OnFrame(MediaFrame frame) => Interlocked.Increment(ref _frames);

        public void OnKeyframeRequested(StreamKind stream)
        {
        }

        public void OnBitrateChanged(int bitsPerSecond)
        {
        }
    }

    private IPEndPoint SocketEndPoint => new(IPAddress.Loopback, _socket.Port);

    public async Task InitializeAsync()
    {
        _node = await TestNode.StartAsync("bob");
        _socket = new MediaSocket(_node.Node.Options, _node.Node.Links, _clock, NullLoggerFactory.Instance);
        await _socket.StartAsync(CancellationToken.None);
        _callee = new MediaSession(CallId, _secret, isCaller: false, _ => true, _heard, _clock);
        // The peer's media address, which a spoofer forges: here the test's own socket sends as both.
        _socket.Register(CallId, _callee, (IPEndPoint)_peer.Client.LocalEndPoint!, () => Interlocked.Increment(ref _floods));
        _caller = new MediaSession(CallId, _secret, isCaller: true, packet => _peer.Send(packet.Span, SocketEndPoint) > 0, new Heard(), _clock);
    }

    public async Task DisposeAsync()
    {
        await _socket.StopAsync();
        _caller.Dispose();
        _callee.Dispose();
        _peer.Dispose();
        await _node.DisposeAsync();
    }

    [Fact]
    public async Task Forged_datagrams_with_the_calls_ID_beyond_the_budget_do_not_end_the_call_and_media_still_flows()
    {
        var forged = new byte[MediaPacket.MinSize + 100];
        var sent = 0;
        const int Forgeries = 3 * MediaSocket.MaxPacketsPerSecond;
        for (var i = 0; i < Forgeries; i++)
        {
            // The right call ID, fresh packet numbers (not replays), anything for ciphertext and tag.
            new MediaHeader(PacketKind.Media, StreamKind.Audio, CallId, 1_000_000 + (uint)i, 0, 0, 0, 1, MediaFlags.None, 2).Write(forged);
            RandomNumberGenerator.Fill(forged.AsSpan(MediaHeader.Size));
            await _peer.SendAsync(forged, SocketEndPoint);
            if (i % 1000 == 0)
            {
                _caller.SendFrame(StreamKind.Audio, (uint)i, false, 2, [1, 2, 3]);
                sent++;
            }
            if (i % 100 == 99)
            {
                // Paced so the kernel's receive buffer drops (almost) none: the node sees the whole flood.
                await Wait.UntilAsync(() => _callee.Stats.Forged >= i - 100 || Volatile.Read(ref _floods) > 0, "the node to read the forgeries");
            }
        }
        await Wait.UntilAsync(() => _callee.Stats.Forged + _callee.Stats.Malformed >= Forgeries - 100 || Volatile.Read(ref _floods) > 0, "the last forgeries");
        _caller.SendFrame(StreamKind.Audio, 99, false, 2, [4, 5, 6]);
        sent++;

        Assert.Equal(0, Volatile.Read(ref _floods));
        Assert.True(_callee.Stats.Forged > MediaSocket.MaxPacketsPerSecond, $"only {_callee.Stats.Forged} forgeries were read");
        await Wait.UntilAsync(() => _heard.Frames == sent, "every real frame, during and after the flood");
    }

    [Fact]
    public async Task The_peer_itself_sending_past_the_budget_is_reported_once_as_a_flood()
    {
        for (var i = 0; i <= MediaSocket.MaxPacketsPerSecond + 100; i++)
        {
            _caller.SendFrame(StreamKind.Audio, (uint)i, false, 2, [1]);
            if (i % 100 == 99)
            {
                await Wait.UntilAsync(() => _callee.Stats.PacketsReceived >= i - 100, "the node to read the packets");
            }
        }
        await Wait.UntilAsync(() => Volatile.Read(ref _floods) > 0, "the flood report");
        Assert.Equal(1, Volatile.Read(ref _floods));
    }
}
