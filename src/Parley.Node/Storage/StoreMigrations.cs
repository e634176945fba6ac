using Microsoft.Data.Sqlite;

namespace Parley.Node.Storage;

/// <summary>
/// Schema changes in order; <c>PRAGMA user_version</c> records how many have run. Append only:
/// never edit a migration that has shipped.
/// </summary>
internal static class StoreMigrations
{
    private static readonly string[] Steps =
    [
        """
        CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE peers (
            device_id TEXT PRIMARY KEY,
            state TEXT NOT NULL,
            remote_name TEXT NOT NULL DEFAULT '',
            alias TEXT,
            address TEXT,
            last_seen INTEGER,
            created_at INTEGER NOT NULL);
        CREATE TABLE messages (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            id TEXT NOT NULL UNIQUE,
            peer TEXT NOT NULL,
            outgoing INTEGER NOT NULL,
            text TEXT NOT NULL,
            sent_at INTEGER NOT NULL,
            state TEXT NOT NULL);
        CREATE INDEX messages_by_peer ON messages (peer, seq);
        CREATE INDEX messages_pending ON messages (peer, state) WHERE state IN ('Queued', 'Sent');
        """,
        """
        CREATE TABLE transfers (
            id TEXT PRIMARY KEY,
            peer TEXT NOT NULL,
            outgoing INTEGER NOT NULL,
            state TEXT NOT NULL,
            folder TEXT,
            total_bytes INTEGER NOT NULL,
            file_count INTEGER NOT NULL,
            error TEXT,
            created_at INTEGER NOT NULL);
        CREATE TABLE transfer_files (
            transfer_id TEXT NOT NULL,
            idx INTEGER NOT NULL,
            path TEXT NOT NULL,
            size INTEGER NOT NULL,
            source TEXT,
            final_path TEXT,
            done INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (transfer_id, idx));
        """,
        """
        ALTER TABLE messages ADD COLUMN sender TEXT;
        """,
        """
        CREATE TABLE read_marks (peer TEXT PRIMARY KEY, seq INTEGER NOT NULL);
        """,
        """
        ALTER TABLE messages ADD COLUMN room_seq INTEGER;
        ALTER TABLE messages ADD COLUMN key_id INTEGER;
        ALTER TABLE messages ADD COLUMN key_counter INTEGER;
        ALTER TABLE messages ADD COLUMN sealed BLOB;
        CREATE INDEX messages_by_key ON messages (peer, key_id, key_counter) WHERE key_id IS NOT NULL;
        CREATE TABLE room_keys (room TEXT NOT NULL, member TEXT NOT NULL, key_id INTEGER NOT NULL, start INTEGER NOT NULL, link BLOB NOT NULL,
            created_at INTEGER NOT NULL, PRIMARY KEY (room, member, key_id));
        CREATE TABLE room_positions (room TEXT PRIMARY KEY, position INTEGER NOT NULL);
        """,
        """
        CREATE INDEX messages_own_by_place ON messages (peer, room_seq) WHERE outgoing = 1 AND key_id IS NOT NULL;
        """,
        // Conversation basics (issue 19): replies, edits, deletes for everyone, reactions, and full-text
        // search. The FTS index follows the messages table through triggers, so every insert, edit
        // (an UPDATE of text: also a room message opening) and delete is indexed in the same transaction.
        """
        ALTER TABLE messages ADD COLUMN reply_to TEXT;
        ALTER TABLE messages ADD COLUMN edited_at INTEGER;
        ALTER TABLE messages ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE chat_actions (id TEXT PRIMARY KEY, peer TEXT NOT NULL, kind INTEGER NOT NULL, target TEXT NOT NULL,
            text TEXT NOT NULL, sent_at INTEGER NOT NULL, state TEXT NOT NULL);
        CREATE INDEX chat_actions_pending ON chat_actions (peer, state);
        CREATE TABLE reactions (message_id TEXT NOT NULL, reactor TEXT NOT NULL, emoji TEXT NOT NULL, at INTEGER NOT NULL,
            active INTEGER NOT NULL, PRIMARY KEY (message_id, reactor, emoji));
        CREATE VIRTUAL TABLE messages_fts USING fts5(text, content='messages', content_rowid='seq');
        INSERT INTO messages_fts (messages_fts) VALUES ('rebuild');
        CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
            INSERT INTO messages_fts (rowid, text) VALUES (new.seq, new.text);
        END;
        CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
            INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.seq, old.text);
        END;
        CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages BEGIN
            INSERT INTO messages_fts (messages_fts, rowid, text) VALUES ('delete', old.seq, old.text);
            INSERT INTO messages_fts (rowid, text) VALUES (new.seq, new.text);
        END;
        """,
        // Files (issue 22): each offered file's modification time and flags (executable, empty folder), restored on landing.
        """
        ALTER TABLE transfer_files ADD COLUMN modified INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE transfer_files ADD COLUMN flags INTEGER NOT NULL DEFAULT 0;
        """,
        // Staying signed in and trust (issue 19): web sessions survive a restart (only their hash is kept); verified contacts.
        """
        CREATE TABLE web_sessions (id_hash TEXT PRIMARY KEY, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);
        ALTER TABLE peers ADD COLUMN verified_at INTEGER;
        """,
    ];

    public static void Apply(SqliteConnection connection)
    {
        using var read = connection.CreateCommand();
        read.CommandText = "PRAGMA user_version;";
        var version = Convert.ToInt32(read.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        if (version > Steps.Length)
        {
            throw new InvalidOperationException($"the database is schema version {version}, newer than this Parley ({Steps.Length}); upgrade Parley");
        }
        for (var step = version; step < Steps.Length; step++)
        {
            using var command = connection.CreateCommand();
            command.CommandText = "BEGIN;\n" + Steps[step] + $"\nPRAGMA user_version = {step + 1};\nCOMMIT;";
            command.ExecuteNonQuery();
        }
    }
}
