using Parley.Core.Identity;

namespace Parley.Hub;

/// <summary>What the mailbox feature keeps: sealed items for members who were offline, within a quota per recipient.</summary>
internal interface IMailboxStore
{
    /// <summary>Stores a sealed item for <paramref name="recipient"/> unless its quota (count or bytes) is full; returns why not, or null.</summary>
    string? Put(DeviceId recipient, DeviceId sender, byte[] item, DateTimeOffset now);

    /// <summary>Items held for <paramref name="recipient"/>, oldest first.</summary>
    IReadOnlyList<(long Id, byte[] Item)> For(DeviceId recipient);

    /// <summary>Deletes an item once its recipient (and only its recipient) has acknowledged it.</summary>
    void Delete(DeviceId recipient, long id);
}

/// <summary>Held sealed items in the hub's database (the hub cannot read them).</summary>
internal sealed class MailboxStore : IMailboxStore
{
    private readonly HubDatabase _database;
    private readonly int _maxMessages;
    private readonly long _maxBytes;

    public MailboxStore(HubDatabase database, HubOptions options)
    {
        _database = database;
        _maxMessages = options.MailboxMaxMessages;
        _maxBytes = options.MailboxMaxBytes;
        _database.Execute("""
            CREATE TABLE IF NOT EXISTS mailbox (
                id INTEGER PRIMARY KEY AUTOINCREMENT, recipient TEXT NOT NULL, sender TEXT NOT NULL, item BLOB NOT NULL, stored_at INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS mailbox_by_recipient ON mailbox (recipient, id);
            """);
    }

    public string? Put(DeviceId recipient, DeviceId sender, byte[] item, DateTimeOffset now) => _database.Run(connection =>
    {
        // Checked and inserted under one lock, so two puts cannot both take the last place.
        using (var usage = HubDatabase.Command(connection, "SELECT count(*), coalesce(sum(length(item)), 0) FROM mailbox WHERE recipient = $r;", ("$r", recipient.Compact)))
        using (var reader = usage.ExecuteReader())
        {
            reader.Read();
            if (reader.GetInt64(0) >= _maxMessages || reader.GetInt64(1) + item.Length > _maxBytes)
            {
                return $"the mailbox for {recipient.Short} is full ({_maxMessages} messages or {_maxBytes / (1 << 20)} MiB); try again when they have been online";
            }
        }
        using var insert = HubDatabase.Command(connection, "INSERT INTO mailbox (recipient, sender, item, stored_at) VALUES ($r, $s, $item, $at);",
            ("$r", recipient.Compact), ("$s", sender.Compact), ("$item", item), ("$at", now.ToUnixTimeMilliseconds()));
        insert.ExecuteNonQuery();
        return (string?)null;
    });

    public IReadOnlyList<(long Id, byte[] Item)> For(DeviceId recipient) =>
        _database.Query("SELECT id, item FROM mailbox WHERE recipient = $r ORDER BY id;", reader => (reader.GetInt64(0), (byte[])reader[1]), ("$r", recipient.Compact));

    public void Delete(DeviceId recipient, long id) =>
        _database.Execute("DELETE FROM mailbox WHERE id = $id AND recipient = $r;", ("$id", id), ("$r", recipient.Compact));
}
