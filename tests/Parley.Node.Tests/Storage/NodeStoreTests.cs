using Microsoft.Data.Sqlite;
using Parley.Node.Storage;

namespace Parley.Node.Tests.Storage;

public sealed class NodeStoreTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("parley-store-").FullName;

    public void Dispose() => Directory.Delete(_home, recursive: true);

    [Fact]
    public async Task Open_UsesWal_AndSchemaVersion_AndOwnerOnlyFile()
    {
        await (await Task.FromResult(NodeStore.Open(_home))).DisposeAsync();
        await using (var again = NodeStore.Open(_home))
        {
            await again.SetSettingAsync("k", "v");
        }
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_home, NodeStore.FileName)};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode; ";
        Assert.Equal("wal", command.ExecuteScalar());
        command.CommandText = "PRAGMA user_version;";
        Assert.Equal(9L, command.ExecuteScalar());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_home, NodeStore.FileName)));
    }

    [Fact]
    public async Task InsertMessage_SameIdTwice_StoresOnce()
    {
        await using var store = NodeStore.Open(_home);
        var id = Guid.NewGuid();
        Assert.True(await store.InsertMessageAsync(id, "PEER", false, "hi", DateTimeOffset.UtcNow, MessageState.Received));
        Assert.False(await store.InsertMessageAsync(id, "PEER", false, "hi", DateTimeOffset.UtcNow, MessageState.Received));
        Assert.Single(await store.HistoryAsync("PEER", 10));
    }

    [Fact]
    public async Task Delivered_IsNeverUndone_ByALateSentWrite()
    {
        await using var store = NodeStore.Open(_home);
        var id = Guid.NewGuid();
        await store.InsertMessageAsync(id, "PEER", true, "hi", DateTimeOffset.UtcNow, MessageState.Queued);
        Assert.True(await store.SetOutgoingStateAsync(id, "PEER", MessageState.Delivered));
        Assert.False(await store.SetOutgoingStateAsync(id, "PEER", MessageState.Sent));
        Assert.Equal(MessageState.Delivered, (await store.HistoryAsync("PEER", 1)).Single().State);
        Assert.Empty(await store.PendingOutgoingAsync("PEER"));
        Assert.False(await store.SetOutgoingStateAsync(id, "OTHER", MessageState.Delivered));
    }

    [Fact]
    public async Task History_PagesBackwards_OldestFirst()
    {
        await using var store = NodeStore.Open(_home);
        await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            store.InsertMessageAsync(Guid.NewGuid(), "PEER", true, $"m{i:D2}", DateTimeOffset.UtcNow, MessageState.Queued)));
        var last = await store.HistoryAsync("PEER", 10);
        Assert.Equal(10, last.Count);
        Assert.True(last.Zip(last.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence));
        var before = await store.HistoryAsync("PEER", 10, last[0].Sequence);
        Assert.Equal(10, before.Count);
        Assert.True(before[^1].Sequence < last[0].Sequence);
        Assert.Equal(50, (await store.PendingOutgoingAsync("PEER")).Count);
    }

    [Fact]
    public async Task Peers_SaveAndLoad_RoundTrip()
    {
        var peer = new PeerRecord("ABC", PeerState.Contact, "bob", "Bobby", "10.0.0.2:47800",
            DateTimeOffset.FromUnixTimeMilliseconds(1000), DateTimeOffset.FromUnixTimeMilliseconds(500));
        await using (var store = NodeStore.Open(_home))
        {
            await store.SavePeerAsync(peer);
        }
        await using var reopened = NodeStore.Open(_home);
        Assert.Equal(peer, Assert.Single(await reopened.LoadPeersAsync()));
    }

    [Fact]
    public async Task Conversations_NewestFirst_CountUnreadIncoming_UntilMarkedRead()
    {
        await using var store = NodeStore.Open(_home);
        var now = DateTimeOffset.UtcNow;
        await store.InsertMessageAsync(Guid.NewGuid(), "AAAA", outgoing: false, "one", now, MessageState.Received);
        await store.InsertMessageAsync(Guid.NewGuid(), "AAAA", outgoing: false, "two", now, MessageState.Received);
        await store.InsertMessageAsync(Guid.NewGuid(), "#team", outgoing: false, "bob joined #team", now, MessageState.Notice);
        await store.InsertMessageAsync(Guid.NewGuid(), "AAAA", outgoing: true, "mine", now, MessageState.Sent);

        var list = await store.ConversationsAsync(10);
        Assert.Equal(["AAAA", "#team"], list.Select(c => c.Peer));
        Assert.Equal(2, list[0].Unread);
        Assert.Equal("mine", list[0].LastText);
        Assert.True(list[0].LastOutgoing);
        Assert.Equal(0, list[1].Unread);

        await store.MarkReadAsync("AAAA");
        Assert.Equal(0, (await store.ConversationsAsync(10))[0].Unread);
        await store.InsertMessageAsync(Guid.NewGuid(), "AAAA", outgoing: false, "three", now, MessageState.Received);
        Assert.Equal(1, (await store.ConversationsAsync(10))[0].Unread);
    }
}
