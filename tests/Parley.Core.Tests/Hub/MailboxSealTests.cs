using System.Text;
using Parley.Core.Hub.Mailbox;
using Parley.Core.Hub.Rooms;
using Parley.Core.Identity;
using Parley.Core.Protocol;

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
        var item = MailboxSeal.Seal(alice, bob.DeviceId, bobKey.PublicKey, "hello bob"u8, SealPurpose.Mail);
        Assert.True(MailboxSeal.TryOpen(item, bobKey, bob.DeviceId, SealPurpose.Mail, out var sender, out var plaintext, out _));
        Assert.Equal(alice.DeviceId, sender);
        Assert.Equal("hello bob", Encoding.UTF8.GetString(plaintext));
        Assert.False(MailboxSeal.TryOpen(item, eveKey, bob.DeviceId, SealPurpose.Mail, out _, out _, out _));
        var tampered = (byte[])item.Clone();
        tampered[^70] ^= 1;
        Assert.False(MailboxSeal.TryOpen(tampered, bobKey, bob.DeviceId, SealPurpose.Mail, out _, out _, out _));
        var random = new Random(2);
        for (var i = 0; i < 5000; i++)
        {
            var bytes = (byte[])item.Clone();
            bytes[random.Next(bytes.Length)] ^= (byte)random.Next(1, 256);
            MailboxSeal.TryOpen(bytes[..random.Next(bytes.Length + 1)], bobKey, bob.DeviceId, SealPurpose.Mail, out _, out _, out _);
        }
    }

    /// <summary>
    /// Mail and room sender keys use the same seal, to the same agreement key. Whoever carries an
    /// item (the hub forwards both) must not be able to hand one in as the other: a member's sender
    /// key delivered as mail from that member, or mail delivered as a sender key.
    /// </summary>
    [Fact]
    public void Seal_ForOnePurpose_DoesNotOpen_AsTheOther()
    {
        using var alice = NodeIdentity.CreateEphemeral();
        using var bob = NodeIdentity.CreateEphemeral();
        using var bobKey = AgreementKey.CreateEphemeral();
        var senderKey = new SenderKeyItem("lobby", 7, 1, new byte[SenderKeyItem.KeySize]).ToArray();
        var roomKeyItem = MailboxSeal.Seal(alice, bob.DeviceId, bobKey.PublicKey, senderKey, SealPurpose.RoomKey);
        var mailItem = MailboxSeal.Seal(alice, bob.DeviceId, bobKey.PublicKey, "hello bob"u8, SealPurpose.Mail);

        Assert.False(MailboxSeal.TryOpen(roomKeyItem, bobKey, bob.DeviceId, SealPurpose.Mail, out _, out _, out _));
        Assert.False(MailboxSeal.TryOpen(mailItem, bobKey, bob.DeviceId, SealPurpose.RoomKey, out _, out _, out _));
        Assert.True(MailboxSeal.TryOpen(roomKeyItem, bobKey, bob.DeviceId, SealPurpose.RoomKey, out var sender, out var plaintext, out _));
        Assert.Equal(alice.DeviceId, sender);
        Assert.Equal(senderKey, plaintext);
        Assert.True(MailboxSeal.TryOpen(mailItem, bobKey, bob.DeviceId, SealPurpose.Mail, out _, out _, out _));
    }
}
