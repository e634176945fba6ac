using Microsoft.Extensions.Logging;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Parley.Core.Hub.Mailbox;
using Parley.Core.Identity;

namespace Parley.Hub;

/// <summary>
/// The mailbox shared by a cluster's hubs: one JetStream stream, a subject per recipient and sender
/// (<c>parley.mail.RECIPIENT.SENDER</c>), so a member collects its mail from whichever hub it comes back
/// to. An item is removed only when its recipient acknowledges it. Quotas: per pair by the stream
/// (messages per subject, refused when full), per recipient and per sender counted from the stream's
/// subjects before each put, the whole mailbox by the stream's limits. What is read back is checked:
/// its subject must be the recipient's, its size within an item's.
/// </summary>
internal sealed class ClusterMailboxStore(NatsCluster cluster, HubOptions options, ILogger logger) : IMailboxStore
{
    private const string Stream = "PARLEY_MAIL";
    private const string Prefix = "parley.mail.";

    /// <summary>Creates the stream (or updates its limits) as this hub's options say.</summary>
    public async Task OpenAsync(CancellationToken cancellationToken)
    {
        await cluster.JetStream.CreateOrUpdateStreamAsync(new StreamConfig(Stream, [Prefix + ">"])
        {
            NumReplicas = cluster.Replicas,
            Storage = StreamConfigStorage.File,
            Discard = StreamConfigDiscard.New,
            DiscardNewPerSubject = true,
            MaxMsgsPerSubject = options.MailboxMaxMessagesPerPair,
            MaxMsgs = options.MailboxMaxTotalMessages,
            MaxBytes = options.MailboxMaxTotalBytes,
            MaxMsgSize = MailboxSeal.MaxItemSize + 256,
        }, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<string?> PutAsync(DeviceId recipient, DeviceId sender, byte[] item, DateTimeOffset now)
    {
        if (await CountAsync($"{Prefix}{recipient.Compact}.*").ConfigureAwait(false) >= options.MailboxMaxMessages)
        {
            return $"the mailbox for {recipient.Short} is full ({options.MailboxMaxMessages} messages); try again when they have been online";
        }
        if (await CountAsync($"{Prefix}*.{sender.Compact}").ConfigureAwait(false) >= options.MailboxMaxMessagesPerSender)
        {
            return $"you have left the most one sender may in this cluster ({options.MailboxMaxMessagesPerSender} messages); try again when your contacts have been online";
        }
        var ack = await ClusterCalls.RunAsync(() => cluster.JetStream.TryPublishAsync(Subject(recipient, sender), item), "mailbox put").ConfigureAwait(false);
        if (ack.Success && ack.Value.Error is null)
        {
            return null;
        }
        var error = ack.Success ? ack.Value.Error?.Description ?? "" : ack.Error.GetType().Name;
        ClusterLog.Failed(logger, "mailbox put", error);
        return error.Contains("per subject", StringComparison.OrdinalIgnoreCase)
            ? $"you have left {recipient.Short} the most one sender may ({options.MailboxMaxMessagesPerPair} messages); try again when they have been online"
            : "the cluster's mailbox is full; try again later";
    }

    /// <summary>Messages held under the subjects <paramref name="filter"/> matches.</summary>
    private async ValueTask<long> CountAsync(string filter)
    {
        var stream = await ClusterCalls.RunAsync(() => cluster.JetStream.GetStreamAsync(Stream, new StreamInfoRequest { SubjectsFilter = filter }), "mailbox count")
            .ConfigureAwait(false);
        return stream.Info.State.Subjects?.Values.Sum() ?? 0;
    }

    /// <summary>
    /// Reads the recipient's items through a short-lived consumer. NATS may be electing a leader (a server
    /// just died): a few tries a second apart, then none this time (they stay held for the next link).
    /// </summary>
    public async ValueTask<IReadOnlyList<(long Id, byte[] Item)>> ForAsync(DeviceId recipient)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await ReadAsync(recipient).ConfigureAwait(false);
            }
            catch (Exception e) when (e is NATS.Client.Core.NatsException or TimeoutException or OperationCanceledException)
            {
                ClusterLog.Failed(logger, $"mailbox read (try {attempt} of {ReadAttempts})", e is NatsJSApiException api ? api.Error.Description ?? e.GetType().Name : e.GetType().Name);
                if (attempt == ReadAttempts)
                {
                    return [];
                }
                await Task.Delay(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            }
        }
    }

    private const int ReadAttempts = 5;

    /// <summary>
    /// One message get per item, "next by subject" from the last (a consumer filtered on a wildcard is refused
    /// by NATS 2.9's create API), up to the recipient's quota.
    /// </summary>
    private async Task<IReadOnlyList<(long Id, byte[] Item)>> ReadAsync(DeviceId recipient)
    {
        var items = new List<(long, byte[])>();
        var filter = $"{Prefix}{recipient.Compact}.*";
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var stream = (NatsJSStream)await cluster.JetStream.GetStreamAsync(Stream, cancellationToken: timeout.Token).ConfigureAwait(false);
        ulong next = 1;
        while (items.Count < options.MailboxMaxMessages)
        {
            StreamMsgGetResponse held;
            try
            {
                held = await stream.GetAsync(new StreamMsgGetRequest { Seq = next, NextBySubj = filter }, timeout.Token).ConfigureAwait(false);
            }
            catch (NatsJSApiException e) when (e.Error.Code == 404)
            {
                break;
            }
            var message = held.Message;
            // Checked, not trusted: another recipient's item, or one no member could have put, is left alone.
            if (message.Subject.StartsWith(filter[..^1], StringComparison.Ordinal) && message.Data.Length is > 0 and <= MailboxSeal.MaxItemSize)
            {
                items.Add(((long)message.Seq, message.Data.ToArray()));
            }
            else
            {
                ClusterLog.Malformed(logger, "mailbox item", message.Subject.Length <= 128 ? message.Subject : message.Subject[..128], "not an item for this recipient");
            }
            next = message.Seq + 1;
        }
        return items;
    }

    /// <summary>Deletes the item if it is the recipient's (its subject says so); another's ID does nothing.</summary>
    public async ValueTask DeleteAsync(DeviceId recipient, long id)
    {
        if (id <= 0)
        {
            return;
        }
        try
        {
            var stream = (NatsJSStream)await ClusterCalls.RunAsync(() => cluster.JetStream.GetStreamAsync(Stream), "mailbox ack").ConfigureAwait(false);
            var held = await stream.GetAsync(new StreamMsgGetRequest { Seq = (ulong)id }).ConfigureAwait(false);
            if (held.Message.Subject.StartsWith($"{Prefix}{recipient.Compact}.", StringComparison.Ordinal))
            {
                await stream.DeleteMessageAsync(new StreamMsgDeleteRequest { Seq = (ulong)id }).ConfigureAwait(false);
            }
        }
        catch (NatsJSApiException e) when (e.Error.Code == 404)
        {
            // Already gone (acknowledged twice, or through another hub).
        }
    }

    private static string Subject(DeviceId recipient, DeviceId sender) => $"{Prefix}{recipient.Compact}.{sender.Compact}";
}
