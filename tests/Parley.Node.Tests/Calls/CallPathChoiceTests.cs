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

/// <summary>
/// How a call on a relayed link picks its media path from what the checks hear: direct UDP over a
/// relay, a relay over the link; and a path that goes silent is dropped for the next one.
/// </summary>
public sealed class CallPathChoiceTests
{
    private static readonly IPEndPoint PeerPublic = new(IPAddress.Parse("203.0.113.8"), 41_000);
    private static readonly IPEndPoint PeerRelay = new(IPAddress.Parse("198.51.100.1"), 50_000);
    private readonly ManualTimeProvider _clock = new();
    private readonly FakeSessions _sessions = new();
    private readonly FakeMediaSocket _socket = new();
    private readonly FakeMediaRelay _ourRelay = new(CallPaths.HubUdp, new IPEndPoint(IPAddress.Parse("198.51.100.1"), 50_001));
    private readonly FakeMediaRelayFactory _factory;

    public CallPathChoiceTests() => _factory = new FakeMediaRelayFactory(_ourRelay);

    private sealed class FakeMediaRelayFactory(Parley.Core.Traversal.IMediaRelay relay) : IMediaRelayFactory
    {
        public Task<Parley.Core.Traversal.IMediaRelay?> TryCreateAsync(CancellationToken cancellationToken) => Task.FromResult<Parley.Core.Traversal.IMediaRelay?>(relay);
    }

    private async Task<(CallMediaPaths Paths, CallPunching Punching, Call Call, MediaSession Media, FakePeerLink Link)> StartAsync()
    {
        var peer = new DeviceId(RandomNumberGenerator.GetBytes(DeviceId.Size));
        var link = new FakePeerLink(peer, "bob") { Relayed = true, RemoteEndPoint = new IPEndPoint(IPAddress.Parse("198.51.100.1"), 47900) };
        _sessions.Open(link);
        var events = new EventHub();
        var punching = new CallPunching(_socket, new Parley.Node.Hub.HubChannel(), _sessions, new CallRelaying([_factory], _sessions), events, _clock);
        var paths = new CallMediaPaths(_socket, _sessions, punching, new NodeOptions { Home = "unused" }, events, _clock);
        var secret = RandomNumberGenerator.GetBytes(MediaCrypto.SecretSize);
        var call = new Call(7, peer, "bob", true, CallMedia.Audio, VideoCodecs.Vp8, secret, _clock.GetUtcNow()) { PeerMedia = new IPEndPoint(link.RemoteEndPoint.Address, 41_000) };
        var media = new MediaSession(7, secret, true, packet => paths.Send(call, packet), call, _clock);
        call.Session = media;
        call.State = CallState.Active;
        paths.Open(call, media, () => { });
        await Wait.UntilAsync(() => link.CountOf(FrameType.CallRelayCandidates) == 1, "our relay announced");
        punching.OnCandidates(call, new CallCandidates(7, [PeerPublic]));
        punching.OnRelayCandidates(call, new CallRelayCandidates(7, [new RelayCandidate(CallPaths.HubUdp, PeerRelay)]));
        return (paths, punching, call, media, link);
    }

    [Fact]
    public async Task RelayedCall_AnnouncesItsRelay_PermitsThePeer_AndChecksEveryPath()
    {
        var (_, _, call, _, _) = await StartAsync();
        _clock.Advance(CallPunching.ProbeEvery); // the next round of checks, with the relay the peer named since
        await Wait.UntilAsync(() => _socket.Sent.Contains(PeerRelay) && _ourRelay.Sent.Contains(PeerPublic), "checks to the peer's relay and through ours");
        Assert.Contains(_socket.Sent, to => to.Equals(PeerPublic));
        Assert.Contains(_ourRelay.Permitted, p => p.Address.Equals(PeerPublic.Address));
        Assert.Equal("link", call.Path);
    }

    [Fact]
    public async Task RelayedPath_IsTakenOverTheLink_AndGivesWayToADirectOne_ButNotTheOtherWay()
    {
        var (_, punching, call, media, link) = await StartAsync();
        punching.Heard(call, PeerPublic, _ourRelay);
        Assert.Equal("hub-udp", call.Path);
        var onLink = link.CountOf(FrameType.CallMedia);
        media.SendFrame(StreamKind.Audio, 1, false, 0, new byte[80]);
        Assert.Equal(onLink, link.CountOf(FrameType.CallMedia));
        Assert.Contains(PeerPublic, _ourRelay.Sent);

        punching.Heard(call, PeerPublic, null);
        Assert.Equal("udp", call.Path);
        punching.Heard(call, PeerRelay, null); // the peer's relay still answering checks
        Assert.Equal("udp", call.Path);
        Assert.Equal(PeerPublic, call.PeerMedia);
    }

    [Fact]
    public async Task PunchedPath_ThatGoesSilent_FallsBackToTheLink_ChecksResume_AndTheRelayTakesOver()
    {
        var (paths, punching, call, media, link) = await StartAsync();
        punching.Heard(call, PeerPublic, null);
        Assert.Equal("udp", call.Path);
        _clock.Advance(TimeSpan.FromMilliseconds(200));
        await Wait.UntilAsync(() => !call.Checking, "checks to stop once a direct path is found");

        _clock.Advance(TimeSpan.FromSeconds(1));
        punching.Heard(call, PeerPublic, null); // still alive a second later
        _clock.Advance(TimeSpan.FromSeconds(1.5));
        paths.FallBackIfUdpSilent(call);
        Assert.Equal("udp", call.Path);

        _clock.Advance(TimeSpan.FromSeconds(1)); // 2.5 s without an authentic datagram: UDP died under the call
        paths.FallBackIfUdpSilent(call);
        Assert.Equal("link", call.Path);
        Assert.True(call.Checking, "checks resume");
        var onLink = link.CountOf(FrameType.CallMedia);
        media.SendFrame(StreamKind.Audio, 2, false, 0, new byte[80]);
        Assert.Equal(onLink + 1, link.CountOf(FrameType.CallMedia));

        punching.Heard(call, PeerRelay, null); // the first check to answer comes from the peer's relay
        Assert.Equal("hub-udp", call.Path);
        Assert.Equal(PeerRelay, call.PeerMedia);
    }

    [Fact]
    public async Task EndedCall_DisposesItsRelays()
    {
        var (paths, _, call, _, _) = await StartAsync();
        call.State = CallState.Ended;
        paths.Close(call);
        await Wait.UntilAsync(() => _ourRelay.Disposed, "the relay released");
    }
}
