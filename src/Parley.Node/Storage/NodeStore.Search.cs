namespace Parley.Node.Storage;

/// <summary>A message found by search, with the words around the match.</summary>
public sealed record SearchHitRecord(MessageRecord Message, string Snippet);

/// <summary>Full-text search over every conversation's history (SQLite FTS5, kept in step by triggers: see <see cref="StoreMigrations"/>).</summary>
public sealed partial class NodeStore
{
    /// <summary>
    /// Messages matching every word of <paramref name="query"/> (each a prefix), newest first. The
    /// words are quoted, so what a person types is never read as FTS5 query syntax.
    /// </summary>
    public Task<IReadOnlyList<SearchHitRecord>> SearchAsync(string query, int limit) => ReadAsync<IReadOnlyList<SearchHitRecord>>(connection =>
    {
        var match = MatchExpression(query);
        if (match.Length == 0)
        {
            return [];
        }
        var columns = string.Join(", ", MessageColumns.Split(", ").Select(c => "m." + c));
        using var command = Command(connection,
            $"""
            SELECT {columns}, snippet(messages_fts, 0, '', '', '…', 16) FROM messages_fts
            JOIN messages m ON m.seq = messages_fts.rowid
            WHERE messages_fts MATCH $match AND m.deleted = 0 AND m.state NOT IN ('Notice', 'WaitingForKey')
            ORDER BY m.seq DESC LIMIT $limit;
            """,
            ("$match", match), ("$limit", limit));
        using var reader = command.ExecuteReader();
        var found = new List<SearchHitRecord>();
        while (reader.Read())
        {
            found.Add(new SearchHitRecord(ReadMessage(reader), reader.GetString(12)));
        }
        return found;
    });

    /// <summary>"old pho" → <c>"old"* "pho"*</c>: every word must appear, as typed or longer.</summary>
    internal static string MatchExpression(string query) => string.Join(' ',
        query.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Take(16)
            .Select(word => "\"" + word.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"*"));
}
