using Parley.Core.Identity;
using Parley.Node.Storage;

namespace Parley.Node.Chat;

/// <summary>
/// A link that dies under messages written to it but never acknowledged ("sent"): once the hub also
/// sees the peer gone, they go to its mailbox, so a peer whose network dropped gets them when it is
/// back on the hub, not only when the two meet again. The peer ignores an ID it already has.
/// </summary>
public sealed partial class ChatService
{
    /// <summary>How long after a link closes its unacknowledged messages may wait for the hub to see the peer gone (or the link to return). 30 s.</summary>
    public static readonly TimeSpan MailAfterLossFor = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan MailCheckEvery = TimeSpan.FromSeconds(1);

    public void OnSessionClosed(DeviceId peer, string reason) => _ = MailUnacknowledgedAsync(peer);

    private async Task MailUnacknowledgedAsync(DeviceId peer)
    {
        try
        {
            var until = time.GetUtcNow() + MailAfterLossFor;
            while (time.GetUtcNow() < until)
            {
                if (sessions.Session(peer) is { IsOpen: true })
                {
                    return; // back: the session resends what it has not acknowledged
                }
                if (mailDrop.ShouldMail(peer))
                {
                    await MailSentAsync(peer).ConfigureAwait(false);
                    return;
                }
                await Task.Delay(MailCheckEvery, time).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or Microsoft.Data.Sqlite.SqliteException)
        {
            ChatLog.MailAfterLossFailed(_logger, peer.Short, e.Message);
        }
    }

    private async Task MailSentAsync(DeviceId peer)
    {
        foreach (var message in await store.PendingOutgoingAsync(peer.Compact).ConfigureAwait(false))
        {
            // An attachment pushed over the link is not mailed as its caption: it goes again whole when the contact is back.
            if (message.State == MessageState.Sent && attachments?.IsAttachment(message.Id) != true
                && await MailAsync(peer, message).ConfigureAwait(false) is null)
            {
                await store.SetOutgoingStateAsync(message.Id, message.Peer, MessageState.Mailed).ConfigureAwait(false);
                events.Publish(ChatEvents.Message, () => MessageView.Direct(message with { State = MessageState.Mailed }, contacts));
            }
        }
        foreach (var pending in await store.PendingActionsAsync(peer.Compact).ConfigureAwait(false))
        {
            if (pending.State == MessageState.Sent && await mailDrop.LeaveAsync(peer, pending.Action).ConfigureAwait(false) is null)
            {
                await store.SetActionStateAsync(pending.Action.Id, peer.Compact, MessageState.Mailed).ConfigureAwait(false);
            }
        }
    }
}
