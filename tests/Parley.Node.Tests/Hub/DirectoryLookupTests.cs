using System.Buffers;
using Parley.Core.Hub.Directory;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Core.Tests;
using Parley.Node.Hub;
using Parley.Node.Tests.Fakes;

namespace Parley.Node.Tests.Hub;

/// <summary>Directory lookups and the verified cache against a pretend hub: what is cached, what is refused, and when the hub is silent.</summary>
public sealed class DirectoryLookupTests : IDisposable
{
    private readonly FakePeerLink _link = FakeHub.Link();
    private readonly HubChannel _channel = new();
    private readonly NodeIdentity _victim = NodeIdentity.CreateEphemeral();
    private readonly NodeIdentity _mallory = NodeIdentity.CreateEphemeral();
    private readonly AgreementKey _key = AgreementKey.CreateEphemeral();

    public DirectoryLookupTests() => _channel.Attach(_link);

    public void Dispose()
    {
        _victim.Dispose();
        _mallory.Dispose();
        _key.Dispose();
    }

    /// <summary>Answers every whois query with <paramref name="entry"/>, as a hub serving it would.</summary>
    private void HubServes(DirectoryLookup lookup, Func<DirectoryEntry> entry) => _link.OnSend = (type, payload) =>
    {
        if (type == FrameType.WhoisQuery)
        {
            var query = WireMessage.Read<WhoisQuery>(payload);
            var result = new WhoisResult(query.QueryId, [new WhoisEntry(true, DateTimeOffset.UnixEpoch, entry())]);
            // The reply arrives while the query is being sent, as from a hub that answers at once.
            lookup.OnFrameAsync(_link, new Frame(FrameType.WhoisResult, 0, new ReadOnlySequence<byte>(result.ToArray()))).AsTask().GetAwaiter().GetResult();
        }
    };

    [Fact]
    public async Task ForgedEntry_IsShownInvalid_NeverVerified_NorCached()
    {
        var lookup = new DirectoryLookup(_channel, TimeProvider.System);
        var directory = new VerifiedDirectory(lookup);
        // The hub swaps in an entry naming the victim's identity key, signed by someone else.
        var forged = DirectoryEntry.Create(_mallory, "victim", _key.PublicKey, DateTimeOffset.UnixEpoch) with
        {
            IdentityKey = _victim.Certificate.PublicKey.ExportSubjectPublicKeyInfo(),
        };
        HubServes(lookup, () => forged);

        Assert.False(Assert.Single(await lookup.WhoisAsync(_victim.DeviceId.Compact)).SignatureValid);
        Assert.Null(await directory.FindAsync(_victim.DeviceId));
        Assert.Null(directory.Cached(_victim.DeviceId));
        Assert.Null(await directory.FindAsync(_victim.DeviceId));
        Assert.Equal(3, _link.CountOf(FrameType.WhoisQuery)); // asked each time: a refusal is not remembered
    }

    [Fact]
    public async Task GenuineEntry_IsCached_UntilForgotten()
    {
        var lookup = new DirectoryLookup(_channel, TimeProvider.System);
        var directory = new VerifiedDirectory(lookup);
        HubServes(lookup, () => DirectoryEntry.Create(_victim, "victim", _key.PublicKey, DateTimeOffset.UnixEpoch));

        var entry = await directory.FindAsync(_victim.DeviceId);
        Assert.Equal(_key.PublicKey, entry!.AgreementKey);
        Assert.Same(entry, await directory.FindAsync(_victim.DeviceId));
        Assert.Equal(1, _link.CountOf(FrameType.WhoisQuery));
        directory.Forget(_victim.DeviceId); // its presence changed: it may have published a new entry
        Assert.NotNull(await directory.FindAsync(_victim.DeviceId));
        Assert.Equal(2, _link.CountOf(FrameType.WhoisQuery));
    }

    [Fact]
    public async Task Whois_TheHubIsSilent_TimesOutAsUnavailable()
    {
        var time = new ManualTimeProvider();
        var lookup = new DirectoryLookup(_channel, time);
        var asking = lookup.WhoisAsync("anyone");
        await Wait.UntilAsync(() => time.PendingTimers > 0, "the request's timer");
        time.Advance(HubExchange<object>.Timeout);
        var error = await Assert.ThrowsAsync<HubUnavailableException>(() => asking);
        Assert.Equal("the hub did not answer the lookup in time", error.Message);
    }

    [Fact]
    public async Task Whois_TheLinkCloses_FailsAtOnce_AndALateAnswerIsDropped()
    {
        var lookup = new DirectoryLookup(_channel, TimeProvider.System);
        var asking = lookup.WhoisAsync("anyone");
        lookup.OnHubLost();
        Assert.Contains("closed", (await Assert.ThrowsAsync<HubUnavailableException>(() => asking)).Message, StringComparison.Ordinal);
        var late = new WhoisResult(1, []);
        await lookup.OnFrameAsync(_link, new Frame(FrameType.WhoisResult, 0, new ReadOnlySequence<byte>(late.ToArray())));
    }

    [Fact]
    public async Task Whois_WithoutAHub_SaysHowToJoinOne()
    {
        var lookup = new DirectoryLookup(new HubChannel(), TimeProvider.System);
        var error = await Assert.ThrowsAsync<HubUnavailableException>(() => lookup.WhoisAsync("anyone"));
        Assert.Contains("hub-join", error.Message, StringComparison.Ordinal);
    }
}
