using System.Text;
using Parley.Node.Storage;

namespace Parley.Node.Tests.Storage;

/// <summary>
/// Another local user must not read a node's home: on first start the folder is 0700 and every file
/// in it (database, WAL, shared memory, identity and agreement keys, API key, node.json) is 0600, so
/// a chat text is never readable through a group- or world-readable WAL.
/// </summary>
public sealed class HomeModesTests : IDisposable
{
    private const UnixFileMode GroupOrOther = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    private readonly string _root = Directory.CreateTempSubdirectory("parley-modes-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task FreshHome_FolderAndEveryFile_AreOwnerOnly_WhileAChatTextIsInTheWal()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        // Homes that do not exist yet, as on a first run (a temp subdirectory is already 0700).
        await using var alice = await TestNode.StartAsync("alice", Path.Combine(_root, "alice", "home"));
        await using var bob = await TestNode.StartAsync("bob", Path.Combine(_root, "bob", "home"));
        await TestNode.BefriendAsync(alice, bob);
        const string canary = "canary 5d0f: the safe code is 4711";
        await alice.Node.Chat.SendAsync(bob.Id, canary);
        await Wait.UntilAsync(async () => (await bob.HistoryWith(alice)).Any(m => m.Text == canary), "bob to store the canary");

        foreach (var home in new[] { alice.Home, bob.Home })
        {
            AssertOwnerOnly(home);
            Assert.True(File.Exists(Path.Combine(home, NodeStore.FileName + "-wal")), "the WAL exists while the node runs");
            Assert.Contains(Directory.EnumerateFiles(home), file => Contains(file, canary));
            foreach (var name in new[] { NodeStore.FileName, NodeStore.FileName + "-wal", NodeStore.FileName + "-shm", "identity.key", "identity.crt", "agreement.key", HomeFolder.ApiKeyFileName, HomeFolder.RuntimeFileName })
            {
                Assert.True(File.Exists(Path.Combine(home, name)), name + " exists");
            }
        }
    }

    [Fact]
    public async Task HomeFromAnOlderVersion_WithReadableFiles_IsTightenedAtStart()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var home = Path.Combine(_root, "old");
        await (await TestNode.StartAsync("alice", home)).Node.StopAsync();
        var loose = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        File.SetUnixFileMode(home, loose | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
        File.SetUnixFileMode(Path.Combine(home, NodeStore.FileName), loose);
        File.WriteAllText(Path.Combine(home, NodeStore.FileName + "-shm"), "");
        File.SetUnixFileMode(Path.Combine(home, NodeStore.FileName + "-shm"), loose);

        await using var again = await TestNode.StartAsync("alice", home);
        AssertOwnerOnly(home);
    }

    private static void AssertOwnerOnly(string home)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(home, "*", SearchOption.AllDirectories).Order())
        {
            Assert.True((File.GetUnixFileMode(entry) & GroupOrOther) == 0, $"{Path.GetFileName(entry)} is {File.GetUnixFileMode(entry)}");
        }
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(home));
    }

    private static bool Contains(string file, string text)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.Latin1);
        return reader.ReadToEnd().Contains(text, StringComparison.Ordinal);
    }
}
