using Parley.Core.Hub.Mailbox;
using Parley.Core.Protocol;

namespace Parley.Hub;

/// <summary>
/// Holds sealed messages for members who are offline (within quotas charged to sender and recipient,
/// see <see cref="MailboxStore"/>) and hands them over when the recipient is online, until it
/// acknowledges each. The hub cannot read them, and holds them only for devices that have been its
/// members (published a directory entry): mail for an ID nobody here has seen could never be collected.
/// </summary>
internal sealed class MailboxFeature(IMailboxStore store, IDirectoryStore directory, IHubMembers members, TimeProvider time) : IHubFeature
{
    public IReadOnlyList<FrameSpec> Takes { get; } =
        [FrameSpec.Of<MailboxPut>(FrameType.MailboxPut), FrameSpec.Of<MailboxAck>(FrameType.MailboxAck)];

    public IReadOnlyList<FrameSpec> Sends { get; } =
        [FrameSpec.Of<MailboxResult>(FrameType.MailboxResult), FrameSpec.Of<MailboxItem>(FrameType.MailboxItem)];

    public ValueTask OnFrameAsync(Member member, Frame frame) => frame.Type switch
    {
        FrameType.MailboxPut => PutAsync(member, frame.Read<MailboxPut>()),
        FrameType.MailboxAck => store.DeleteAsync(member.Id, frame.Read<MailboxAck>().ItemId),
        _ => ValueTask.CompletedTask,
    };

    // Not awaited: the store answers on its own time (a cluster's over NATS) and reports its own failures.
    public void OnMemberConnected(Member member) => _ = DeliverAsync(member).AsTask();

    /// <summary>Stores the item, or says why not; a recipient online now gets it at once.</summary>
    private async ValueTask PutAsync(Member member, MailboxPut put)
    {
        var refusal = members.IsOnline(put.Recipient) || await directory.KnowsAsync(put.Recipient).ConfigureAwait(false)
            ? await store.PutAsync(put.Recipient, member.Id, put.Item, time.GetUtcNow()).ConfigureAwait(false)
            : $"this hub has never seen {put.Recipient.Short}; it holds mail only for its members";
        member.Send(FrameType.MailboxResult, new MailboxResult(put.PutId, refusal is null, refusal ?? ""));
        if (refusal is null && members.TryGet(put.Recipient, out var online))
        {
            await DeliverAsync(online).ConfigureAwait(false);
        }
    }

    /// <summary>Sends everything held for the member; each stays held until acknowledged (so a dropped link loses nothing).</summary>
    private async ValueTask DeliverAsync(Member member)
    {
        foreach (var (id, item) in await store.ForAsync(member.Id).ConfigureAwait(false))
        {
            member.Send(FrameType.MailboxItem, new MailboxItem(id, item));
        }
    }
}
