using System.Security.Cryptography;
using Parley.Core.Calls;
using Parley.Core.Protocol;

namespace Parley.Core.Tests.Calls;

/// <summary>
/// Datagrams of the pages' WebRTC engine through a call's media session (<see cref="PacketKind.Tunnel"/>):
/// whole on the other side whatever their size, lost ones asked for again between the nodes (faster than
/// the engine's own end-to-end recovery), and only when sealed with the call's key.
/// </summary>
public sealed class TunnelTests
{
    private const uint CallId = 0x7011;

    private sealed class Heard : IMediaSessionListener
    {
        public List<byte[]> Tunnelled { get; } = [];

        public void OnFrame(MediaFrame frame)
        {
        }

        public void OnKeyframeRequested(StreamKind stream)
        {
        }

        public void OnBitrateChanged(int bitsPerSecond)
        {
        }

        public void OnTunnel(byte[] datagram) => Tunnelled.Add(datagram);
    }

    private readonly ManualTimeProvider _clock = new();
    private readonly List<byte[]> _toCallee = [];
    private readonly List<byte[]> _toCaller = [];
    private readonly Heard _callee = new();
    private readonly MediaSession _caller;
    private readonly MediaSession _calleeSession;

    public TunnelTests()
    {
        var secret = RandomNumberGenerator.GetBytes(MediaCrypto.SecretSize);
        _caller = new MediaSession(CallId, secret, isCaller: true, p => { _toCallee.Add(p.ToArray()); return true; }, new Heard(), _clock);
        _calleeSession = new MediaSession(CallId, secret, isCaller: false, p => { _toCaller.Add(p.ToArray()); return true; }, _callee, _clock);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(1196)]
    [InlineData(1197)]
    [InlineData(5000)]
    public void A_datagram_arrives_whole_even_when_its_pieces_come_out_of_order(int size)
    {
        var datagram = RandomNumberGenerator.GetBytes(size);
        _caller.SendTunnel(datagram);
        Assert.Equal((size + MediaHeader.MaxTunnelPayload - 1) / MediaHeader.MaxTunnelPayload, _toCallee.Count);
        foreach (var packet in Enumerable.Reverse(_toCallee))
        {
            Assert.True(_calleeSession.OnPacket(packet));
        }
        Assert.Equal(datagram, Assert.Single(_callee.Tunnelled));
    }

    [Fact]
    public void Lost_tunnel_packets_are_asked_for_between_the_nodes_and_arrive_once()
    {
        for (var i = 0; i < 200; i++)
        {
            _caller.SendTunnel([(byte)i, 1, 2, 3]);
        }
        // Every fifth packet lost on the way, the first time only (not the last: a later packet shows a gap).
        var first = _toCallee.ToList();
        _toCallee.Clear();
        foreach (var (packet, index) in first.Select((p, i) => (p, i)).Where(x => x.i % 5 != 3))
        {
            _calleeSession.OnPacket(packet);
        }
        Assert.Equal(160, _callee.Tunnelled.Count);
        for (var ms = 0; ms < 1000; ms += 5)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(5));
            _calleeSession.Tick();
            foreach (var control in _toCaller.ToList())
            {
                _caller.OnPacket(control); // the NACKs reach the caller, which resends
            }
            _toCaller.Clear();
            foreach (var resent in _toCallee.ToList())
            {
                _calleeSession.OnPacket(resent);
            }
            _toCallee.Clear();
        }
        Assert.Equal(200, _callee.Tunnelled.Count);
        Assert.Equal(Enumerable.Range(0, 200).Select(i => (byte)i).Order(), _callee.Tunnelled.Select(d => d[0]).Order());
    }

    [Fact]
    public void A_tunnel_packet_sealed_with_another_key_is_dropped()
    {
        var stranger = new MediaSession(CallId, RandomNumberGenerator.GetBytes(MediaCrypto.SecretSize), isCaller: true, p => { _toCallee.Add(p.ToArray()); return true; }, new Heard(), _clock);
        stranger.SendTunnel([1, 2, 3]);
        Assert.False(_calleeSession.OnPacket(Assert.Single(_toCallee)));
        Assert.Empty(_callee.Tunnelled);
        Assert.Equal(1, _calleeSession.Stats.Forged);
    }
}
