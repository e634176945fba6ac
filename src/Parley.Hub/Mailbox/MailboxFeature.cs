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

    public ValueTask OnFrameAsync(Member member, Frame frame)
    {
        switch (frame.Type)
        {
            case FrameType.MailboxPut:
                Put(member, frame.Read<MailboxPut>());
                break;
            case FrameType.MailboxAck:
                store.Delete(member.Id, frame.Read<MailboxAck>().ItemId);
                break;
        }
        return ValueTask.CompletedTask;
    }

    public void OnMemberConnected(Member member) => Deliver(member);

    /// <summary>Stores the item, or says why not; a recipient online now gets it at once.</summary>
    private void Put(Member member, MailboxPut put)
    {
        var refusal = members.IsOnline(put.Recipient) || directory.Knows(put.Recipient)
            ? store.Put(put.Recipient, member.Id, put.Item, time.GetUtcNow())
            : $"this hub has never seen {put.Recipient.Short}; it holds mail only for its members";
        member.Send(FrameType.MailboxResult, new MailboxResult(put.PutId, refusal is null, refusal ?? ""));
        if (refusal is null && members.TryGet(put.Recipient, out var online))
        {
            Deliver(online);
        }
    }

    /// <summary>Sends everything held for the member; each stays held until acknowledged (so a dropped link loses nothing).</summary>
    private void Deliver(Member member)
    {
        foreach (var (id, item) in store.For(member.Id))
        {
            member.Send(FrameType.MailboxItem, new MailboxItem(id, item));
        }
    }
}
