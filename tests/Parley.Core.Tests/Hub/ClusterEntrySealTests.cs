using System.Security.Cryptography;
using Parley.Core.Hub.Cluster;

namespace Parley.Core.Tests.Hub;

public sealed class ClusterEntrySealTests
{
    private static readonly byte[] Secret = RandomNumberGenerator.GetBytes(32);
    private static readonly byte[] Value = "who is in the call, and where its media goes"u8.ToArray();

    [Fact]
    public void Sealed_OpensUnderItsName_ToTheSameValue()
    {
        var seal = new ClusterEntrySeal(Secret);
        Assert.True(new ClusterEntrySeal(Secret).TryOpen("0000000000000001.team", seal.Seal("0000000000000001.team", Value), out var opened));
        Assert.Equal(Value, opened);
        Assert.True(seal.TryOpen("k", seal.Seal("k", []), out var empty));
        Assert.Empty(empty);
    }

    [Fact]
    public void Moved_Altered_Truncated_OrSealedWithAnotherSecret_DoesNotOpen()
    {
        var seal = new ClusterEntrySeal(Secret);
        var sealedValue = seal.Seal("0000000000000001.team", Value);
        Assert.False(seal.TryOpen("0000000000000002.team", sealedValue, out _)); // the same bytes under another hub's key
        for (var i = 0; i < sealedValue.Length; i += 7)
        {
            var altered = sealedValue.ToArray();
            altered[i] ^= 1;
            Assert.False(seal.TryOpen("0000000000000001.team", altered, out _));
        }
        Assert.False(seal.TryOpen("0000000000000001.team", sealedValue[..^1], out _));
        Assert.False(seal.TryOpen("0000000000000001.team", new byte[ClusterEntrySeal.TagSize - 1], out _));
        Assert.False(seal.TryOpen("0000000000000001.team", Value, out _)); // what a writer without the secret puts there
        Assert.False(new ClusterEntrySeal(RandomNumberGenerator.GetBytes(32)).TryOpen("0000000000000001.team", sealedValue, out _));
        Assert.False(seal.TryOpen(new string('k', 2000), sealedValue, out _));
    }
}
