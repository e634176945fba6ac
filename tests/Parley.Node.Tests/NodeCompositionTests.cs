using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Core.Links;
using Parley.Core.Hub;
using Parley.Core.Protocol;
using Parley.Node.Chat;
using Parley.Node.Hub;
using Parley.Node.Links;
using Parley.Node.Rooms;

namespace Parley.Node.Tests;

/// <summary>
/// The node as the composition root builds it, not started: every module's services resolve (the
/// container validates the whole graph when it is built, so a missing service or a cycle fails
/// here and at every start), and every frame type has exactly one owner.
/// </summary>
public sealed class NodeCompositionTests : IAsyncLifetime
{
    private readonly string _home = Directory.CreateTempSubdirectory("parley-composition-").FullName;
    private NodeComposition.Loaded _loaded = null!;
    private IServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        var options = new NodeOptions { Home = _home, ApiPort = 0, PeerPort = 0, Discovery = false, PortMapping = false };
        _loaded = await NodeComposition.LoadAsync(options);
        _services = NodeComposition.Build(options, _loaded, NullLoggerFactory.Instance).Services;
    }

    public async Task DisposeAsync()
    {
        await _loaded.Store.DisposeAsync();
        _loaded.Identity.Dispose();
        _loaded.Agreement.Dispose();
        Directory.Delete(_home, recursive: true);
    }

    [Fact]
    public void PeerFrames_AreOwnedOnce_AndArePreciselyTheNodesShareOfTheProtocol()
    {
        var router = _services.GetRequiredService<FrameRouter>();
        var hubOnly = HubFrames.Specs.Select(s => s.Type).ToHashSet();
        foreach (var spec in KnownFrames.All)
        {
            Assert.Equal(!hubOnly.Contains(spec.Type), router.Frames.Contains(spec.Type));
        }
    }

    [Fact]
    public void HubFrames_TheHubSends_AreOwnedOnce_ByTheHubClientsFeatures()
    {
        var router = _services.GetRequiredService<HubFrameRouter>();
        var owned = router.Features.SelectMany(f => f.Frames).Select(s => s.Type).Order().ToList();
        FrameType[] fromTheHub =
        [
            FrameType.Presence, FrameType.WhoisResult, FrameType.RelayTicket, FrameType.RelayRefused, FrameType.MailboxResult, FrameType.MailboxItem,
            FrameType.UdpRelayAllocated, FrameType.UdpRelayRefused, FrameType.UdpRelayPermitRefused,
            FrameType.RoomReply, FrameType.RoomNotice, FrameType.RoomKey, FrameType.RoomEntry, FrameType.RoomPosted, FrameType.RoomSyncState, FrameType.RoomReceipts,
            FrameType.RoomKeyRequest,
            FrameType.BlobResult, FrameType.BlobData, FrameType.BlobError,
            FrameType.RoomCallJoined, FrameType.RoomCallRefused, FrameType.RoomCallNotice, FrameType.RoomCallPacket, FrameType.RoomCallKey,
        ];
        Assert.Equal(fromTheHub.Order(), owned);
        Assert.Same(_services.GetRequiredService<RoomMembership>(), router.Features.OfType<RoomMembership>().Single());
    }

    [Fact]
    public void Seams_AreBoundToTheFeaturesThatServeThem()
    {
        Assert.IsType<RelayDialer>(_services.GetRequiredService<IRelayDialer>());
        Assert.IsType<MailDrop>(_services.GetRequiredService<IMailDrop>());
        Assert.Same(_services.GetRequiredService<LinkManager>(), _services.GetRequiredService<IPeerSessions>());
        var started = _services.GetServices<INodeService>().ToList();
        Assert.True(started.IndexOf(started.OfType<LinksService>().Single()) < started.IndexOf(started.OfType<HubConnection>().Single()),
            "links must start before the hub connection (its hello names the peer port)");
    }
}
