using System.Net;
using System.Security.Cryptography;
using Parley.Core.Calls;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Core.Tests;
using Parley.Node.Calls;
using Parley.Node.Events;
using Parley.Node.Tests.Fakes;

namespace Parley.Node.Tests.Calls;

/// <summary>Which way media goes: never datagrams to a relayed link's far end (the hub); on the link, audio ahead of video.</summary>
public sealed class CallMediaPathsTests
{
    private readonly ManualTimeProvider _clock = new();
    private readonly FakeSessions _sessions = new();
    private readonly FakeMediaSocket _socket = new();

    private CallPunching _punching = null!;
    private byte[] _secret = [];

    private (CallMediaPaths Paths, Call Call, MediaSession Media, FakePeerLink Link) Start(bool relayed, bool active = true)
    {
        var peer = new DeviceId(RandomNumberGenerator.GetBytes(DeviceId.Size));
        var link = new FakePeerLink(peer, "bob") { Relayed = relayed, RemoteEndPoint = new IPEndPoint(IPAddress.Parse("203.0.113.7"), 47900) };
        _sessions.Open(link);
        var events = new EventHub();
        var punching = _punching = new CallPunching(_socket, new Parley.Node.Hub.HubChannel(), _sessions, new CallRelaying([], _sessions), events, _clock);
        var paths = new CallMediaPaths(_socket, _sessions, punching, new NodeOptions { Home = "unused" }, events, _clock);
        var secret = _secret = RandomNumberGenerator.GetBytes(MediaCrypto.SecretSize);
        var call = new Call(7, peer, "bob", true, CallMedia.Audio | CallMedia.Video, VideoCodecs.Vp8, secret, _clock.GetUtcNow())
        {
            PeerMedia = CallMediaPaths.PeerEndPoint(link, 41_000),
        };
        var media = new MediaSession(7, secret, true, packet => paths.Send(call, packet), call, _clock);
        call.Session = media;
        paths.Open(call, media, () => { });
        if (active)
        {
            call.State = CallState.Active; // as CallLifecycle.Start does, after the path is chosen
            paths.Started(call);
        }
        return (paths, call, media, link);
    }

    [Fact]
    public void RelayedLink_CarriesMediaFromTheStart_AndNoDatagramGoesToTheHub()
    {
        var (_, call, media, link) = Start(relayed: true);
        Assert.True(call.OverLink);
        media.SendFrame(StreamKind.Audio, 1, false, 0, new byte[80]);
        Assert.Empty(_socket.Sent);
        Assert.Equal(1, link.CountOf(FrameType.CallMedia));
    }

    [Fact]
    public void OnTheLink_AudioGoesAheadOfBulk_WhileVideoWaitsOrIsDropped()
    {
        var (_, call, media, link) = Start(relayed: true);
        link.BulkBlocked = true; // the bulk queue is full (a file, resends, video)
        for (var i = 0; i < 50; i++)
        {
            media.SendFrame(StreamKind.Audio, (uint)i, false, 0, new byte[80]);
            media.SendFrame(StreamKind.Video, (uint)i, i == 0, 0, new byte[3000]);
        }
        Assert.True(call.OverLink);
        Assert.Equal(50, link.CountOf(FrameType.CallMedia)); // every audio frame, no video
    }

    [Fact]
    public void DirectLink_UsesUdp()
    {
        var (_, call, media, link) = Start(relayed: false);
        Assert.False(call.OverLink);
        media.SendFrame(StreamKind.Audio, 1, false, 0, new byte[80]);
        Assert.Single(_socket.Sent);
        Assert.Equal(0, link.CountOf(FrameType.CallMedia));
    }

    [Fact]
    public void CandidatesThatCameBeforeTheCallWasActive_AreCheckedOnceItIs()
    {
        var (paths, call, _, _) = Start(relayed: true, active: false);
        _punching.OnCandidates(call, new CallCandidates(7, [new IPEndPoint(IPAddress.Parse("203.0.113.8"), 41_000)]));
        Assert.False(call.Checking); // a check loop started now would stop at once
        var sentBefore = _socket.Sent.Count;

        call.State = CallState.Active;
        paths.Started(call);

        Assert.True(call.Checking);
        Assert.True(_socket.Sent.Count > sentBefore, "a check went to the peer's address");
    }

    [Fact]
    public void PunchedPath_IsNotUndone_ByThePeersMediaStillComingOverTheLink()
    {
        var (_, call, media, _) = Start(relayed: true);
        call.Session = media;
        call.State = CallState.Active;
        _punching.OnCandidates(call, new CallCandidates(7, [new IPEndPoint(IPAddress.Parse("203.0.113.8"), 41_000)]));
        Assert.True(call.Probing);
        _punching.Heard(call, new IPEndPoint(IPAddress.Parse("203.0.113.8"), 41_000), null);
        Assert.False(call.OverLink);

        using var peer = new MediaSession(7, _secret, false, _ => true, call, _clock);
        Assert.True(MediaPacket.TryRead(new System.Buffers.ReadOnlySequence<byte>(peer.SealProbe()!), out var packet, out _));
        CallMediaPaths.ArrivedOverLink(call, packet); // sent by the peer before its own check got through
        Assert.False(call.OverLink);
    }
}
