using System.Net;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Parley.Node.Tests;

namespace Parley.Hub.Tests;

/// <summary>A hub's home is the hub user's alone: on first start the folder is 0700 and every file (hub.db, its WAL and shared memory, the identity) 0600.</summary>
public sealed class HomeModesTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-hub-modes-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task FreshHubHome_FolderAndEveryFile_AreOwnerOnly_WhileAMembersEntryIsInTheWal()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var home = Path.Combine(_root, "hub", "home");
        await using var hub = HubServer.Start(new HubOptions { Home = home, Port = 0, BindAddress = IPAddress.Loopback }, NullLoggerFactory.Instance);
        const string canary = "canary-7be2";
        await using var node = await TestNode.StartAsync(canary);
        await node.Node.Hub.JoinAsync(new Parley.Core.Identity.Invite(hub.DeviceId, "hub", [new IPEndPoint(IPAddress.Loopback, hub.Port)]).ToString());
        await Wait.UntilAsync(() => Directory.EnumerateFiles(home).Any(file => Contains(file, canary)), "the member's directory entry on disk");

        foreach (var name in new[] { HubDatabase.FileName + "-wal", HubDatabase.FileName + "-shm", HubDatabase.FileName, "identity.key", "identity.crt" })
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(home, name)));
        }
        Assert.All(Directory.EnumerateFileSystemEntries(home), entry => Assert.Equal(UnixFileMode.None,
            File.GetUnixFileMode(entry) & ~(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute)));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(home));
    }

    private static bool Contains(string file, string text)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.Latin1);
        return reader.ReadToEnd().Contains(text, StringComparison.Ordinal);
    }
}
