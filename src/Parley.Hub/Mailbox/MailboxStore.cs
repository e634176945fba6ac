using Microsoft.Data.Sqlite;
using Parley.Core.Identity;

namespace Parley.Hub;

/// <summary>
/// What the mailbox feature keeps: sealed items for members who were offline, within quotas charged to
/// sender and recipient. In the hub's database (<see cref="MailboxStore"/>), or shared by a cluster's
/// hubs (<see cref="ClusterMailboxStore"/>).
/// </summary>
internal interface IMailboxStore
{
    /// <summary>
    /// Stores a sealed item for <paramref name="recipient"/> unless a quota it would pass is full (the
    /// hub's, the recipient's, the sender's for that recipient, the sender's in all); returns why not, or null.
    /// </summary>
    ValueTask<string?> PutAsync(DeviceId recipient, DeviceId sender, byte[] item, DateTimeOffset now);

    /// <summary>Items held for <paramref name="recipient"/>, oldest first.</summary>
    ValueTask<IReadOnlyList<(long Id, byte[] Item)>> ForAsync(DeviceId recipient);

    /// <summary>Deletes an item once its recipient (and only its recipient) has acknowledged it.</summary>
    ValueTask DeleteAsync(DeviceId recipient, long id);
}

/// <summary>
/// Held sealed items in the hub's database (the hub cannot read them). What an item costs is charged
/// to whoever left it as well as to whom it is for: one sender may fill only a share of a recipient's
/// mailbox (<see cref="HubOptions.MailboxMaxMessagesPerPair"/>), so a few throwaway identities cannot
/// shut a member's contacts out, and only so much in all (<see cref="HubOptions.MailboxMaxMessagesPerSender"/>);
/// the hub's own total is bounded (<see cref="HubOptions.MailboxMaxTotalBytes"/>).
/// </summary>
internal sealed class MailboxStore : IMailboxStore
{
    private readonly HubDatabase _database;
    private readonly HubOptions _options;

    // The hub's totals, kept as items come and go (under the database's lock) rather than summed on every put.
    private long _totalMessages;
    private long _totalBytes;

    public MailboxStore(HubDatabase database, HubOptions options)
    {
        _database = database;
        _options = options;
        _database.Execute("""
            CREATE TABLE IF NOT EXISTS mailbox (
                id INTEGER PRIMARY KEY AUTOINCREMENT, recipient TEXT NOT NULL, sender TEXT NOT NULL, item BLOB NOT NULL, stored_at INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS mailbox_by_recipient ON mailbox (recipient, id);
            CREATE INDEX IF NOT EXISTS mailbox_by_sender ON mailbox (sender, recipient);
            """);
        (_totalMessages, _totalBytes) = _database.Query("SELECT count(*), coalesce(sum(length(item)), 0) FROM mailbox;", r => (r.GetInt64(0), r.GetInt64(1)))[0];
    }

    public ValueTask<string?> PutAsync(DeviceId recipient, DeviceId sender, byte[] item, DateTimeOffset now) => ValueTask.FromResult(Put(recipient, sender, item, now));

    public ValueTask<IReadOnlyList<(long Id, byte[] Item)>> ForAsync(DeviceId recipient) => ValueTask.FromResult(For(recipient));

    public ValueTask DeleteAsync(DeviceId recipient, long id)
    {
        Delete(recipient, id);
        return ValueTask.CompletedTask;
    }

    public string? Put(DeviceId recipient, DeviceId sender, byte[] item, DateTimeOffset now) => _database.Run(connection =>
    {
        // Checked and inserted under one lock, so two puts cannot both take the last place.
        if (Refusal(connection, recipient, sender, item.Length) is { } refusal)
        {
            return refusal;
        }
        using var insert = HubDatabase.Command(connection, "INSERT INTO mailbox (recipient, sender, item, stored_at) VALUES ($r, $s, $item, $at);",
            ("$r", recipient.Compact), ("$s", sender.Compact), ("$item", item), ("$at", now.ToUnixTimeMilliseconds()));
        insert.ExecuteNonQuery();
        _totalMessages++;
        _totalBytes += item.Length;
        return null;
    });

    private string? Refusal(SqliteConnection connection, DeviceId recipient, DeviceId sender, int length)
    {
        if (_totalMessages >= _options.MailboxMaxTotalMessages || _totalBytes + length > _options.MailboxMaxTotalBytes)
        {
            return "the hub's mailbox is full; try again later";
        }
        var (toRecipient, toRecipientBytes) = Usage(connection, "recipient = $r", recipient, sender);
        if (toRecipient >= _options.MailboxMaxMessages || toRecipientBytes + length > _options.MailboxMaxBytes)
        {
            return $"the mailbox for {recipient.Short} is full ({_options.MailboxMaxMessages} messages or {Mib(_options.MailboxMaxBytes)}); try again when they have been online";
        }
        var (pair, pairBytes) = Usage(connection, "sender = $s AND recipient = $r", recipient, sender);
        if (pair >= _options.MailboxMaxMessagesPerPair || pairBytes + length > _options.MailboxMaxBytesPerPair)
        {
            return $"you have left {recipient.Short} the most one sender may ({_options.MailboxMaxMessagesPerPair} messages or {Mib(_options.MailboxMaxBytesPerPair)}); "
                + "try again when they have been online";
        }
        var (fromSender, fromSenderBytes) = Usage(connection, "sender = $s", recipient, sender);
        if (fromSender >= _options.MailboxMaxMessagesPerSender || fromSenderBytes + length > _options.MailboxMaxBytesPerSender)
        {
            return $"you have left the most one sender may at this hub ({_options.MailboxMaxMessagesPerSender} messages or {Mib(_options.MailboxMaxBytesPerSender)}); "
                + "try again when your contacts have been online";
        }
        return null;
    }

    /// <summary>Count and bytes of the items matching <paramref name="where"/> (over <c>$r</c>, the recipient, and <c>$s</c>, the sender).</summary>
    private static (long Count, long Bytes) Usage(SqliteConnection connection, string where, DeviceId recipient, DeviceId sender)
    {
        using var command = HubDatabase.Command(connection, $"SELECT count(*), coalesce(sum(length(item)), 0) FROM mailbox WHERE {where};",
            ("$r", recipient.Compact), ("$s", sender.Compact));
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.GetInt64(1));
    }

    private static string Mib(long bytes) => bytes >= 1 << 20 ? $"{bytes / (1 << 20)} MiB" : $"{bytes / 1024} KiB";

    public IReadOnlyList<(long Id, byte[] Item)> For(DeviceId recipient) =>
        _database.Query("SELECT id, item FROM mailbox WHERE recipient = $r ORDER BY id;", reader => (reader.GetInt64(0), (byte[])reader[1]), ("$r", recipient.Compact));

    public void Delete(DeviceId recipient, long id) => _database.Run(connection =>
    {
        using var delete = HubDatabase.Command(connection, "DELETE FROM mailbox WHERE id = $id AND recipient = $r RETURNING length(item);", ("$id", id), ("$r", recipient.Compact));
        if (delete.ExecuteScalar() is long length)
        {
            _totalMessages--;
            _totalBytes -= length;
        }
        return 0;
    });
}
