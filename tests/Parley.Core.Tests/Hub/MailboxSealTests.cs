using System.Text;
using Parley.Core.Hub.Mailbox;
using Parley.Core.Identity;

namespace Parley.Core.Tests.Hub;

public class MailboxSealTests
{
    [Fact]
    public void Seal_IsOnlyOpenedByTheRecipient_AndNamesTheRealSender()
    {
        using var alice = NodeIdentity.CreateEphemeral();
        using var bob = NodeIdentity.CreateEphemeral();
        using var bobKey = AgreementKey.CreateEphemeral();
        using var eveKey = AgreementKey.CreateEphemeral();
        var item = MailboxSeal.Seal(alice, bob.DeviceId, bobKey.PublicKey, "hello bob"u8);
        Assert.True(MailboxSeal.TryOpen(item, bobKey, bob.DeviceId, out var sender, out var plaintext, out _));
        Assert.Equal(alice.DeviceId, sender);
        Assert.Equal("hello bob", Encoding.UTF8.GetString(plaintext));
        Assert.False(MailboxSeal.TryOpen(item, eveKey, bob.DeviceId, out _, out _, out _));
        var tampered = (byte[])item.Clone();
        tampered[^70] ^= 1;
        Assert.False(MailboxSeal.TryOpen(tampered, bobKey, bob.DeviceId, out _, out _, out _));
        var random = new Random(2);
        for (var i = 0; i < 5000; i++)
        {
            var bytes = (byte[])item.Clone();
            bytes[random.Next(bytes.Length)] ^= (byte)random.Next(1, 256);
            MailboxSeal.TryOpen(bytes[..random.Next(bytes.Length + 1)], bobKey, bob.DeviceId, out _, out _, out _);
        }
    }
}
