using Microsoft.Extensions.Logging.Abstractions;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Chat;
using Parley.Node.Hub;
using Parley.Node.Rooms;
using Parley.Node.Tests.Fakes;
using Parley.Node.Tests.Files;

namespace Parley.Node.Tests.Rooms;

/// <summary>
/// A new sender key goes to every member before any message goes out under it. When it did not, a
/// message could reach the hub ahead of its key, and a sender killed in between (the churn test in CI)
/// left a member with messages nobody could open for it.
/// </summary>
public sealed class RoomKeysTests : IAsyncDisposable
{
    private readonly NodeIdentity _alice = NodeIdentity.CreateEphemeral();
    private readonly NodeIdentity _bob = NodeIdentity.CreateEphemeral();
    private readonly AgreementKey _aliceAgreement = AgreementKey.CreateEphemeral();
    private readonly AgreementKey _bobAgreement = AgreementKey.CreateEphemeral();
    private readonly RecordingChannel _channel = new();
    private readonly GatedWhois _whois = new();
    private StoreFolder? _folder;

    public async ValueTask DisposeAsync()
    {
        if (_folder is not null)
        {
            await _folder.DisposeAsync();
        }
        foreach (var disposable in new IDisposable[] { _alice, _bob, _aliceAgreement, _bobAgreement })
        {
            disposable.Dispose();
        }
    }

    private async Task<(RoomKeys Keys, RoomState State)> AliceInTeamAsync()
    {
        _folder = await StoreFolder.OpenAsync();
        var admission = new RoomAdmission(_alice, new FakeSettingStore(), TimeProvider.System, NullLoggerFactory.Instance);
        await admission.EnterAsync("team", RoomPolicy.First(_alice, "team", isPublic: true).ToArray(),
            [new RoomMember(_alice.DeviceId, "alice", true), new RoomMember(_bob.DeviceId, "bob", true)]);
        var keys = new RoomKeys(_alice, _aliceAgreement, _channel, new VerifiedDirectory(_whois), _folder.Store, admission, TimeProvider.System,
            NullLoggerFactory.Instance);
        var state = new RoomState("team") { Members = new() { [_alice.DeviceId] = "alice", [_bob.DeviceId] = "bob" } };
        _whois.Answer = new WhoisAnswer(_bob.DeviceId, "bob", true, true, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, _bobAgreement.PublicKey, _bob.Certificate.GetPublicKey());
        return (keys, state);
    }

    [Fact]
    public async Task ANewKey_IsNotUsed_UntilItHasGoneToEveryMember()
    {
        var (keys, state) = await AliceInTeamAsync();
        var rekey = keys.RekeyAsync(state); // bob's directory entry is slow to come

        await Task.Delay(100);
        Assert.Null(state.MyKey);
        Assert.Empty(_channel.Sent);

        _whois.Release();
        await rekey;
        var key = Assert.IsType<SenderKey>(state.MyKey);
        var sent = Assert.Single(_channel.Sent);
        Assert.Equal((FrameType.RoomKey, key.KeyId), (sent.Type, ((RoomKey)sent.Message).KeyId));
    }

    [Fact]
    public async Task TwoSendsAtOnce_WithNoKey_MakeOneKey_AndBothUseIt()
    {
        var (keys, state) = await AliceInTeamAsync();
        // Both sends find no key while bob's directory entry is slow to come; each used to start its own
        // rekey, and the second made the first key useless before anything was sealed under it.
        var first = keys.SealWithMyKeyAsync(state, key => BitConverter.GetBytes(key.KeyId));
        var second = keys.SealWithMyKeyAsync(state, key => BitConverter.GetBytes(key.KeyId));
        await Task.Delay(100);
        _whois.Release();

        var sealedFirst = Assert.IsType<byte[]>(await first);
        var sealedSecond = Assert.IsType<byte[]>(await second);
        Assert.Equal(sealedFirst, sealedSecond);
        Assert.Single(_channel.Sent);
        Assert.Equal(1, state.KeyGeneration);
    }

    [Fact]
    public async Task AKeyThatCouldNotGoOut_IsNeverUsed_AndTheOneBeforeItIsDropped()
    {
        var (keys, state) = await AliceInTeamAsync();
        _whois.Release();
        await keys.RekeyAsync(state);
        Assert.NotNull(state.MyKey);

        _channel.Up = false; // the hub link drops while the next key is handed out (someone left, say)
        await keys.RekeyAsync(state);
        Assert.Null(state.MyKey); // the next send makes another once the link is back, or says the hub is unreachable
    }

    [Fact]
    public async Task AMemberWhoJoinedBeforeOurMessageWasPlaced_ButAfterOurKeyWasMade_GetsTheKeyFromThatMessageOn()
    {
        var (keys, state) = await AliceInTeamAsync();
        using var carol = NodeIdentity.CreateEphemeral();
        using var carolAgreement = AgreementKey.CreateEphemeral();
        _whois.Release();
        await keys.RekeyAsync(state); // handed to bob only
        var key = state.MyKey!;
        _channel.Sent.Clear();
        _whois.Answer = new WhoisAnswer(carol.DeviceId, "carol", true, true, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, carolAgreement.PublicKey,
            carol.Certificate.GetPublicKey());
        // Carol's join was placed at 5; we had sealed message 3 before we read it, and the hub placed it at 6.
        state.Members[carol.DeviceId] = "carol";
        state.Receipts[carol.DeviceId] = new RoomReceipt(carol.DeviceId, 5, 4);

        await keys.HandToLateJoinersAsync(state, key.KeyId, 3, 6);   // placed after her join: hers
        await keys.HandToLateJoinersAsync(state, key.KeyId, 4, 7);   // she has it already: nothing more

        var sent = Assert.Single(_channel.Sent);
        var handed = (RoomKey)sent.Message;
        Assert.Equal((carol.DeviceId, key.KeyId), (handed.To, handed.KeyId));
        Assert.True(Parley.Core.Hub.Mailbox.MailboxSeal.TryOpen(handed.Item, carolAgreement, carol.DeviceId, Parley.Core.Hub.Mailbox.SealPurpose.RoomKey,
            out _, out var plain, out _));
        Assert.Equal(3UL, WireMessage.Read<SenderKeyItem>(plain).Start); // from that message on, never the ones before it
    }

    [Fact]
    public async Task AMemberWhoJoinedAfterOurMessageWasPlaced_DoesNotGetItsKey()
    {
        var (keys, state) = await AliceInTeamAsync();
        using var carol = NodeIdentity.CreateEphemeral();
        _whois.Release();
        await keys.RekeyAsync(state);
        _channel.Sent.Clear();
        state.Members[carol.DeviceId] = "carol";
        state.Receipts[carol.DeviceId] = new RoomReceipt(carol.DeviceId, 9, 8);

        await keys.HandToLateJoinersAsync(state, state.MyKey!.KeyId, 3, 7);

        Assert.Empty(_channel.Sent);
    }

    /// <summary>Answers bob's entry only once released.</summary>
    private sealed class GatedWhois : IWhois
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public WhoisAnswer? Answer { get; set; }

        public void Release() => _gate.TrySetResult();

        public async Task<IReadOnlyList<WhoisAnswer>> WhoisAsync(string text)
        {
            await _gate.Task;
            return Answer is null ? [] : [Answer];
        }
    }

    private sealed class RecordingChannel : IHubChannel
    {
        public bool Up { get; set; } = true;

        public List<(FrameType Type, object Message)> Sent { get; } = [];

        public Invite? Hub => null;

        public bool Connected => Up;

        public bool TrySend<T>(FrameType type, T message) where T : IWireMessage<T>
        {
            if (Up)
            {
                lock (Sent)
                {
                    Sent.Add((type, message));
                }
            }
            return Up;
        }

        public IPeerLink RequireLink() => throw new HubUnavailableException("no hub in this test");
    }
}
