using Parley.Core.Identity;
using Parley.Node.Contacts;

namespace Parley.Node.Tests.Contacts;

public class PeerResolverTests
{
    private static DeviceId Id(char first)
    {
        var text = first + new string('A', DeviceId.TextLength - 2) + "A";
        return DeviceId.Parse(text);
    }

    private static readonly DeviceId Bob = DeviceId.Parse("BBBBBBBBCCCC" + new string('A', 40));
    private static readonly DeviceId Bert = DeviceId.Parse("BBBBBBBBDDDD" + new string('A', 40));
    private static readonly PeerCandidate[] Candidates = [new(Bob, "bob", "Bobby"), new(Bert, "bert")];

    [Fact]
    public void Resolve_ByName_IgnoringCase() => Assert.Equal(Bob, PeerResolver.Resolve("BOBBY", Candidates));

    [Fact]
    public void Resolve_ByUniquePrefix_WithDashesOrCase() => Assert.Equal(Bert, PeerResolver.Resolve("bbbb-bbbb-d", Candidates));

    [Fact]
    public void Resolve_ByFullId_EvenIfUnknown() => Assert.Equal(Id('C'), PeerResolver.Resolve(Id('C').ToString(), Candidates));

    [Fact]
    public void Resolve_AmbiguousPrefix_ListsBoth()
    {
        var error = Assert.Throws<PeerNotFoundException>(() => PeerResolver.Resolve("BBBBBBBB", Candidates));
        Assert.True(error.Ambiguous);
        Assert.Contains("matches 2 peers", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ResolveInTiers_AnEarlierTiersName_IsNotShadowedByALaterOnes()
    {
        var stranger = Id('S');
        PeerCandidate[] contacts = [new(Bob, "bob")];
        PeerCandidate[] requests = [new(stranger, "bob"), new(Id('E'), "eve")];
        Assert.Equal(Bob, PeerResolver.ResolveInTiers("bob", [contacts, requests]));
        Assert.Equal(Id('E'), PeerResolver.ResolveInTiers("eve", [contacts, requests]));
        Assert.Equal(stranger, PeerResolver.ResolveInTiers("bob", [requests, contacts]));
    }

    [Fact]
    public void ResolveInTiers_ByPrefix_ReachesEveryTier_EvenANamelessOne()
    {
        PeerCandidate[] contacts = [new(Bob, "bob")];
        PeerCandidate[] blocked = [new(Id('Q'))];
        Assert.Equal(Id('Q'), PeerResolver.ResolveInTiers(Id('Q').Compact[..9], [contacts, blocked]));
        Assert.Throws<PeerNotFoundException>(() => PeerResolver.ResolveInTiers("", [contacts, blocked]));
    }

    [Theory]
    [InlineData("BBBBBBB")] // 7 characters: too short to be a prefix
    [InlineData("carol")]
    public void Resolve_NoMatch_Throws(string text) =>
        Assert.False(Assert.Throws<PeerNotFoundException>(() => PeerResolver.Resolve(text, Candidates)).Ambiguous);
}
