using Parley.Core.Identity;

namespace Parley.Hub.Tests.Rules;

/// <summary>The mailbox's quotas on a real database: each charged to whoever causes the cost, the hub's total bounded.</summary>
public sealed class MailboxQuotaTests : WithHubDatabase
{
    private readonly DeviceId _alice = NodeIdentity.CreateEphemeral().DeviceId;
    private readonly DeviceId _bob = NodeIdentity.CreateEphemeral().DeviceId;
    private readonly DeviceId _carol = NodeIdentity.CreateEphemeral().DeviceId;
    private readonly DeviceId _dave = NodeIdentity.CreateEphemeral().DeviceId;

    private MailboxStore Store(HubOptions options) => new(Database, options);

    private static HubOptions Options => new() { Home = "unused" };

    [Fact]
    public void OneSender_FillsOnlyItsShareOfARecipient_AndOnlySoMuchInAll()
    {
        var store = Store(Options with { MailboxMaxMessagesPerPair = 2, MailboxMaxMessagesPerSender = 3 });
        var now = DateTimeOffset.UtcNow;

        Assert.Null(store.Put(_bob, _alice, [1], now));
        Assert.Null(store.Put(_bob, _alice, [2], now));
        Assert.StartsWith($"you have left {_bob.Short} the most one sender may (2 messages", store.Put(_bob, _alice, [3], now), StringComparison.Ordinal);
        Assert.Null(store.Put(_carol, _alice, [4], now));
        Assert.StartsWith("you have left the most one sender may at this hub (3 messages", store.Put(_dave, _alice, [5], now), StringComparison.Ordinal);
        Assert.Null(store.Put(_bob, _dave, [6], now)); // another sender has its own share

        // Collected mail frees the sender's share.
        store.Delete(_bob, store.For(_bob)[0].Id);
        Assert.Null(store.Put(_bob, _alice, [7], now));
    }

    [Fact]
    public void HubTotal_IsBounded_CountsWhatWasStoredBefore_AndIsFreedByCollection()
    {
        var options = Options with { MailboxMaxTotalBytes = 300 };
        var now = DateTimeOffset.UtcNow;
        Assert.Null(Store(options).Put(_bob, _alice, new byte[200], now));

        var store = Store(options); // as after a restart: the total is read back
        Assert.Equal("the hub's mailbox is full; try again later", store.Put(_carol, _dave, new byte[101], now));
        Assert.Null(store.Put(_carol, _dave, new byte[100], now));
        Assert.NotNull(store.Put(_carol, _dave, [1], now));

        store.Delete(_alice, store.For(_bob)[0].Id); // only the recipient's ack deletes
        Assert.NotNull(store.Put(_carol, _dave, [1], now));
        store.Delete(_bob, store.For(_bob)[0].Id);
        Assert.Null(store.Put(_carol, _dave, new byte[200], now));
    }
}
