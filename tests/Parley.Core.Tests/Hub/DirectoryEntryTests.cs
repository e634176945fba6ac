using Parley.Core.Hub.Directory;
using Parley.Core.Identity;
using Parley.Core.Protocol;

namespace Parley.Core.Tests.Hub;

public class DirectoryEntryTests
{
    private static DirectoryEntry Signed(NodeIdentity identity, string name = "alice")
    {
        using var agreement = AgreementKey.CreateEphemeral();
        return DirectoryEntry.Create(identity, name, agreement.PublicKey, DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_000));
    }

    private static DirectoryEntry RoundTrip(DirectoryEntry entry)
    {
        Assert.True(WireMessage.TryRead<DirectoryEntry>(entry.ToArray(), out var decoded, out var error), error);
        return decoded;
    }

    [Fact]
    public void Signed_Entry_Verifies_AfterEncoding()
    {
        using var identity = NodeIdentity.CreateEphemeral();
        var entry = RoundTrip(Signed(identity));
        Assert.True(entry.Verify());
        Assert.Equal(identity.DeviceId, entry.DeviceId);
        Assert.Equal("alice", entry.Name);
    }

    [Fact]
    public void ChangedName_Or_Key_Or_Time_FailsVerification()
    {
        using var identity = NodeIdentity.CreateEphemeral();
        using var other = AgreementKey.CreateEphemeral();
        var entry = Signed(identity);
        Assert.False((entry with { Name = "mallory" }).Verify());
        Assert.False((entry with { AgreementPublicKey = other.PublicKey }).Verify());
        Assert.False((entry with { IssuedAt = entry.IssuedAt.AddSeconds(1) }).Verify());
    }

    [Fact]
    public void EntryClaimingAnotherIdentity_FailsVerification()
    {
        using var alice = NodeIdentity.CreateEphemeral();
        using var mallory = NodeIdentity.CreateEphemeral();
        var aliceEntry = Signed(alice);
        var forged = Signed(mallory) with { IdentityKey = aliceEntry.IdentityKey };
        Assert.Equal(alice.DeviceId, forged.DeviceId);
        Assert.False(forged.Verify());
    }

    [Fact]
    public void RandomBytes_NeverThrow()
    {
        using var identity = NodeIdentity.CreateEphemeral();
        var valid = Signed(identity).ToArray();
        var random = new Random(4);
        for (var i = 0; i < 20_000; i++)
        {
            var bytes = (byte[])valid.Clone();
            if (i % 2 == 0)
            {
                bytes = new byte[random.Next(0, 400)];
                random.NextBytes(bytes);
            }
            else
            {
                bytes[random.Next(bytes.Length)] ^= (byte)random.Next(1, 256);
            }
            if (WireMessage.TryRead<DirectoryEntry>(bytes, out var entry, out _))
            {
                entry.Verify();
            }
        }
    }
}
