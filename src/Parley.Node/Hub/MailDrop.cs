using Parley.Core.Chat;
using Parley.Core.Hub.Mailbox;
using Parley.Core.Identity;
using Parley.Core.Links;
using Parley.Core.Protocol;
using Parley.Node.Chat;

namespace Parley.Node.Hub;

/// <summary>
/// The mailbox, sending side: a message for a contact who is not reachable is sealed to the agreement
/// key its signed directory entry publishes (never to an entry whose signature fails) and left at
/// the hub, which holds it until the contact comes by.
/// </summary>
internal sealed class MailDrop(NodeIdentity identity, IHubChannel channel, HubPresence presence, VerifiedDirectory directory, IWhois whois, TimeProvider time)
    : IMailDrop, IHubClientFeature
{
    /// <summary>The hub's answer to a put: null when stored, else its reason.</summary>
    private readonly HubExchange<string?> _puts = new(channel, time, "the mailbox");

    public IReadOnlyList<FrameSpec> Frames { get; } = [FrameSpec.Of<MailboxResult>(FrameType.MailboxResult)];

    /// <summary>True when the contact is not online at the hub but the hub is linked: the mailbox is the way.</summary>
    public bool ShouldMail(DeviceId peer) => channel.Connected && !presence.IsOnline(peer);

    public Task<string?> LeaveAsync(DeviceId peer, ChatMessage message) => LeaveSealedAsync(peer, message.ToArray(), SealPurpose.Mail);

    public Task<string?> LeaveAsync(DeviceId peer, ChatAction action) => LeaveSealedAsync(peer, action.ToArray(), SealPurpose.MailAction);

    /// <summary>Leaves an attachment's reference for a contact (its bytes are at the hub's blob store already).</summary>
    public Task<string?> LeaveAsync(DeviceId peer, Core.Attachments.AttachmentRef attachment) => LeaveSealedAsync(peer, attachment.ToArray(), SealPurpose.MailAttachment);

    private async Task<string?> LeaveSealedAsync(DeviceId peer, byte[] plaintext, SealPurpose purpose)
    {
        try
        {
            if (await directory.FindAsync(peer).ConfigureAwait(false) is not { } entry)
            {
                // Only on failure: ask again to say which failure it is.
                return (await whois.WhoisAsync(peer.Compact).ConfigureAwait(false)).Any(a => a.DeviceId == peer)
                    ? $"{peer.Short}'s directory entry at the hub has a bad signature; not using it"
                    : $"{peer.Short} has no entry at the hub to encrypt to";
            }
            var sealedItem = MailboxSeal.Seal(identity, peer, entry.AgreementKey, plaintext, purpose);
            return await _puts.AskAsync(FrameType.MailboxPut, id => new MailboxPut(id, peer, sealedItem)).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            return e.Message;
        }
    }

    public ValueTask OnFrameAsync(IPeerLink hub, Frame frame)
    {
        var result = frame.Read<MailboxResult>();
        _puts.TryAnswer(result.PutId, result.Stored ? null : result.Reason);
        return ValueTask.CompletedTask;
    }

    public void OnHubLost() => _puts.FailAll();
}
