using System.Net;
using System.Security.Cryptography;
using Parley.Core.Hub.Mailbox;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Node.Storage;
using Parley.Node.Tests;
using Parley.Testing;

namespace Parley.Hub.Tests.Attacks;

/// <summary>
/// The mailbox charges what it holds to the sender as well as the recipient: throwaway identities
/// cannot fill a member's mailbox so that its contacts' mail is refused, and the hub holds mail only
/// for devices it has seen.
/// </summary>
public sealed class MailboxAttackTests : HubTestBase
{
    /// <summary>The attack at full speed: the request rate would otherwise make each identity take seconds.</summary>
    protected override HubOptions Options(int port) => base.Options(port) with { RequestsPerSecond = 10_000, RequestBurst = 10_000 };

    [Fact]
    public async Task FiveThrowawayIdentities_CannotFillAVictimsMailbox_AndAContactsMailIsStillStored()
    {
        await using var alice = await OnHubAsync("alice");
        var bob = await OfflineContactOfAsync(alice);

        // Five identities each try to leave 250 items for bob, whose quota is 1,000 (the default).
        var hub = new IPEndPoint(IPAddress.Loopback, Hub.Port);
        var stored = 0;
        for (var identity = 0; identity < 5; identity++)
        {
            await using var attacker = await AttackerLink.ConnectAsync(hub, $"spammer{identity}");
            for (var put = 1u; put <= 250; put++)
            {
                await attacker.SendAsync(FrameType.MailboxPut, new MailboxPut(put, bob, RandomNumberGenerator.GetBytes(200)));
            }
            stored += (await ResultsAsync(attacker, 250)).Count(r => r.Stored);
        }
        Assert.True(stored < 1000, $"{stored} items stored");
        Assert.Equal(stored, Hub.Mail.For(bob).Count);

        var sent = await alice.Node.Chat.SendAsync(bob, "past the flood");
        Assert.Null(sent.Warning);
        Assert.Equal(MessageState.Mailed, sent.State);
    }

    [Fact]
    public async Task PutForADeviceTheHubHasNeverSeen_IsRefused_WithWhy()
    {
        await using var attacker = await AttackerLink.ConnectAsync(new IPEndPoint(IPAddress.Loopback, Hub.Port));
        using var nobody = NodeIdentity.CreateEphemeral();

        await attacker.SendAsync(FrameType.MailboxPut, new MailboxPut(7, nobody.DeviceId, RandomNumberGenerator.GetBytes(200)));

        var result = Assert.Single(await ResultsAsync(attacker, 1));
        Assert.False(result.Stored);
        Assert.Contains("never seen", result.Reason, StringComparison.Ordinal);
        Assert.Empty(Hub.Mail.For(nobody.DeviceId));
    }

    /// <summary>The next <paramref name="count"/> mailbox results the hub sent (presence notices and such skipped).</summary>
    private static async Task<List<MailboxResult>> ResultsAsync(AttackerLink attacker, int count)
    {
        var results = new List<MailboxResult>();
        while (results.Count < count && await attacker.ReadFrameAsync(TimeSpan.FromSeconds(10)) is { } frame)
        {
            if (frame.Type == FrameType.MailboxResult)
            {
                results.Add(WireMessage.Read<MailboxResult>(frame.Payload));
            }
        }
        Assert.Equal(count, results.Count);
        return results;
    }
}
