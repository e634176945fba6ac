using Microsoft.Extensions.Logging.Abstractions;
using Parley.Core.Hub.Directory;
using Parley.Core.Hub.Presence;
using Parley.Core.Hub.Relay;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Core.Tests;
using Parley.Node.Tests;

namespace Parley.Hub.Tests.Rules;

/// <summary>Rules of single hub features, with fake members and an in-memory store.</summary>
public sealed class HubFeatureTests
{
    private readonly ManualTimeProvider _time = new();

    private HubOptions Options => new() { Home = "unused", TimeProvider = _time, MaxRelaySessions = 1 };

    private sealed class MemoryDirectory : IDirectoryStore
    {
        public Dictionary<DeviceId, (DirectoryEntry Entry, DateTimeOffset Seen)> Entries { get; } = [];

        public ValueTask PublishAsync(DirectoryEntry entry, DateTimeOffset seen)
        {
            Entries[entry.DeviceId] = (entry, seen);
            return ValueTask.CompletedTask;
        }

        public ValueTask SeenAsync(DeviceId id, DateTimeOffset seen)
        {
            if (Entries.TryGetValue(id, out var known))
            {
                Entries[id] = known with { Seen = seen };
            }
            return ValueTask.CompletedTask;
        }

        public ValueTask<bool> KnowsAsync(DeviceId id) => ValueTask.FromResult(Entries.ContainsKey(id));

        public ValueTask<IReadOnlyList<(DirectoryEntry Entry, DateTimeOffset LastSeen)>> FindAsync(string query, int limit) =>
            ValueTask.FromResult<IReadOnlyList<(DirectoryEntry Entry, DateTimeOffset LastSeen)>>([.. Entries.Values.Where(e => e.Entry.Name == query).Take(limit)]);
    }

    [Fact]
    public async Task Relay_ToYourself_OrToSomeoneOffline_OrWhenFull_IsRefusedWithWhy()
    {
        var members = new FakeMembers(Options);
        var (alice, aliceLink) = members.Join("alice");
        var (bob, bobLink) = members.Join("bob");
        using var relay = new RelaySwitch(Options);
        var feature = new RelayFeature(relay, members.Registry, bridge: null, NullLogger.Instance);
        using var offline = NodeIdentity.CreateEphemeral();

        await feature.OnFrameAsync(alice, FakeMembers.FrameOf(FrameType.RelayRequest, new RelayRequest(alice.Id, 1)));
        await feature.OnFrameAsync(alice, FakeMembers.FrameOf(FrameType.RelayRequest, new RelayRequest(offline.DeviceId, 2)));
        await feature.OnFrameAsync(alice, FakeMembers.FrameOf(FrameType.RelayRequest, new RelayRequest(bob.Id, 3)));
        await feature.OnFrameAsync(alice, FakeMembers.FrameOf(FrameType.RelayRequest, new RelayRequest(bob.Id, 4)));

        Assert.Equal(
            [new RelayRefused(1, "cannot relay to yourself"), new RelayRefused(2, $"{offline.DeviceId.Short} is not online at this hub"),
             new RelayRefused(4, "the hub's relay is full; try again later")],
            aliceLink.Received<RelayRefused>(FrameType.RelayRefused));
        var asker = Assert.Single(aliceLink.Received<RelayTicket>(FrameType.RelayTicket));
        var invited = Assert.Single(bobLink.Received<RelayTicket>(FrameType.RelayTicket));
        Assert.Equal((3u, false, bob.Id), (asker.RequestId, asker.Invited, asker.Peer));
        Assert.Equal((0u, true, alice.Id), (invited.RequestId, invited.Invited, invited.Peer));
        Assert.NotEqual(asker.Token, invited.Token);
    }

    [Fact]
    public async Task Relay_SessionsAreChargedToTheAsker_WhoHoldsAtMostItsShare_WhileOthersStillGetOne()
    {
        var options = Options with { MaxRelaySessions = 10, MaxRelaySessionsPerMember = 2 };
        var members = new FakeMembers(options);
        var (alice, aliceLink) = members.Join("alice");
        var (bob, bobLink) = members.Join("bob");
        using var relay = new RelaySwitch(options);
        var feature = new RelayFeature(relay, members.Registry, bridge: null, NullLogger.Instance);

        for (var request = 1u; request <= 3; request++)
        {
            await feature.OnFrameAsync(alice, FakeMembers.FrameOf(FrameType.RelayRequest, new RelayRequest(bob.Id, request)));
        }
        await feature.OnFrameAsync(bob, FakeMembers.FrameOf(FrameType.RelayRequest, new RelayRequest(alice.Id, 4)));

        Assert.Equal(2, aliceLink.Received<RelayTicket>(FrameType.RelayTicket).Count(t => !t.Invited));
        Assert.Equal([new RelayRefused(3, "you hold 2 relays at this hub, the most one member may; try again when one ends")],
            aliceLink.Received<RelayRefused>(FrameType.RelayRefused));
        Assert.Contains(bobLink.Received<RelayTicket>(FrameType.RelayTicket), t => t.RequestId == 4 && !t.Invited);
        Assert.Equal(3, relay.ActiveSessions);

        // Unused tickets expire: the asker's slots come back.
        _time.Advance(TimeSpan.FromSeconds(16));
        await Wait.UntilAsync(() => relay.ActiveSessions == 0, "the unused sessions to expire");
        await feature.OnFrameAsync(alice, FakeMembers.FrameOf(FrameType.RelayRequest, new RelayRequest(bob.Id, 5)));
        Assert.Contains(aliceLink.Received<RelayTicket>(FrameType.RelayTicket), t => t.RequestId == 5);
    }

    [Fact]
    public async Task Directory_RefusesAnEntrySignedForAnotherDevice_AndAnnouncesARename()
    {
        var members = new FakeMembers(Options);
        var (alice, _) = members.Join("alice");
        var (_, bobLink) = members.Join("bob");
        var store = new MemoryDirectory();
        var feature = new DirectoryFeature(store, members.Registry, new PresenceFeature(members.Registry, _time), _time);
        using var someoneElse = NodeIdentity.CreateEphemeral();
        using var key = AgreementKey.CreateEphemeral();

        var forged = DirectoryEntry.Create(someoneElse, "alice", key.PublicKey, _time.GetUtcNow());
        var error = await Assert.ThrowsAsync<ProtocolException>(() => feature.OnFrameAsync(alice, FakeMembers.FrameOf(FrameType.DirectoryPublish, forged)).AsTask());
        Assert.Contains("not signed by the device publishing it", error.Message, StringComparison.Ordinal);
        Assert.Empty(store.Entries);

        using var carol = NodeIdentity.CreateEphemeral();
        var (carolMember, _) = members.Join("carol", carol);
        await feature.OnFrameAsync(carolMember, FakeMembers.FrameOf(FrameType.DirectoryPublish, DirectoryEntry.Create(carol, "caroline", key.PublicKey, _time.GetUtcNow())));

        Assert.Equal("caroline", carolMember.Name);
        var renamed = Assert.Single(bobLink.Received<PresenceNotice>(FrameType.Presence));
        Assert.Equal((PresenceKind.Joined, carol.DeviceId, "caroline"), (renamed.Kind, renamed.DeviceId, renamed.Name));
        Assert.True(store.Entries.ContainsKey(carol.DeviceId));
    }
}
