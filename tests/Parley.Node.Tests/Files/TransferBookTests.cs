using Parley.Core.Identity;
using Parley.Node.Files;

namespace Parley.Node.Tests.Files;

/// <summary>Finding a transfer by the start of its ID or of its short ID, as a person types it from a listing.</summary>
public sealed class TransferBookTests : IDisposable
{
    private readonly NodeIdentity _alice = NodeIdentity.CreateEphemeral();
    private readonly NodeIdentity _bob = NodeIdentity.CreateEphemeral();
    private readonly TransferBook _book = new();

    public void Dispose()
    {
        _alice.Dispose();
        _bob.Dispose();
    }

    private Transfer Add(string id, NodeIdentity? peer = null)
    {
        var transfer = new Transfer(Guid.Parse(id), (peer ?? _alice).DeviceId.Compact, outgoing: true, [new TransferFile(0, "a", 1, "/a")], DateTimeOffset.UnixEpoch);
        _book.Add(transfer);
        return transfer;
    }

    [Theory]
    [InlineData("0193")]
    [InlineData("0193A1F2")]
    [InlineData("0193a1f2-0000-7")]
    public void Find_AUniquePrefix_OfFourOrMoreDigits_IgnoringCaseAndDashes(string prefix)
    {
        var wanted = Add("0193a1f2-0000-7000-8000-000000000001");
        Add("0288a1f2-0000-7000-8000-000000000002");
        Assert.Same(wanted, _book.Find(prefix));
    }

    [Fact]
    public void Find_FewerThanFourDigits_FindsNothing()
    {
        Add("0193a1f2-0000-7000-8000-000000000001");
        var error = Assert.Throws<TransferException>(() => _book.Find("019"));
        Assert.Contains("no transfer or offer has an ID starting with '019'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Find_APrefixOfSeveral_AsksForMore()
    {
        Add("0193a1f2-0000-7000-8000-000000000001");
        Add("0193a1f2-0000-7000-8000-000000000002");
        var error = Assert.Throws<TransferException>(() => _book.Find("0193a1f2"));
        Assert.Contains("matches 2 transfers; give more of the ID", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Find_TheShortId_PicksItsTransfer_AmongOnesMadeTogether()
    {
        // UUIDv7s made in the same millisecond share their first twelve digits; the short ID is the random end.
        var first = Add("0193a1f2-3c4d-7000-8000-00007e3a91c2");
        var second = Add("0193a1f2-3c4d-7000-8000-0000b5d04e17");
        Assert.Equal(("7e3a91c2", "b5d04e17"), (first.ShortId, second.ShortId));
        Assert.Same(second, _book.Find("b5d04e17"));
        Assert.Same(first, _book.Find("7E3A"));
    }

    [Fact]
    public void With_AnotherPeer_IsNothing()
    {
        var transfer = Add("0193a1f2-0000-7000-8000-000000000001", _alice);
        Assert.Same(transfer, _book.With(_alice.DeviceId, transfer.Id));
        Assert.Null(_book.With(_bob.DeviceId, transfer.Id));
    }
}
