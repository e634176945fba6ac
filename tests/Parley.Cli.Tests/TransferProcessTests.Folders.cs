using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Parley.Testing;

namespace Parley.Cli.Tests;

/// <summary>Folders as people send them (issue 22): thousands of small files in bundles, a few large ones, modes, times, links.</summary>
public sealed partial class TransferProcessTests
{
    /// <summary>A walk that neither lists links nor goes through them (by default .NET recurses into a linked folder).</summary>
    private static readonly EnumerationOptions NoLinks = new() { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint };

    private const UnixFileMode Executable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead;

    /// <summary>
    /// 5,000 small files in nested folders plus three large ones, some executable, some empty files and folders, every
    /// file and folder with its own old time, and two links (to a file and to a folder) inside: `parley send` between
    /// two processes. Everything arrives byte-identical with its executable bit and time; every folder, empty or not,
    /// has the sender's time (set after its contents landed); the links are not followed and the sender's output lists
    /// them; progress counts files ("5,003 of 5,003 files", filesDone in `parley transfers --json`).
    /// </summary>
    [Fact]
    public async Task Send_FolderOfFiveThousandSmallAndThreeLargeFiles_ArrivesIdentical_WithModesTimesEmptyFolders_AndLinksSkipped()
    {
        await using var alice = await StartNode("alice");
        await using var bob = await StartNode("bob");
        await NodeProcess.BefriendAsync(alice, bob);
        var folder = Path.Combine(_root, "tree");
        var old = new DateTime(2019, 6, 7, 8, 9, 10, 123, DateTimeKind.Utc);
        for (var i = 0; i < 5000; i++)
        {
            var path = Path.Combine(folder, $"a{i % 4}", $"b{i % 3}", $"f{i:D4}.txt");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, RandomNumberGenerator.GetBytes(i % 97 == 0 ? 0 : 100 + i * 13 % 9000));
            if (i % 500 == 7)
            {
                File.SetUnixFileMode(path, Executable);
            }
            File.SetLastWriteTimeUtc(path, old.AddSeconds(i).AddMilliseconds(i % 1000));
        }
        string[] large = ["big1.bin", "a1/big2.bin", "a2/b0/big3.bin"];
        for (var i = 0; i < large.Length; i++)
        {
            var path = Path.Combine(folder, large[i]);
            await WriteRandomAsync(path, 20 + 14 * i); // 20, 34 and 48 MiB: blocks between the bundles
            File.SetLastWriteTimeUtc(path, old.AddDays(-i).AddMilliseconds(7));
        }
        File.SetUnixFileMode(Path.Combine(folder, large[0]), Executable);
        Directory.CreateDirectory(Path.Combine(folder, "empty"));
        Directory.CreateDirectory(Path.Combine(folder, "a3", "nothing", "deeper"));
        var outside = Directory.CreateDirectory(Path.Combine(_root, "outside")).FullName;
        File.WriteAllText(Path.Combine(outside, "secret.txt"), "not chosen for sending");
        string[] links = [Path.Combine(folder, "a0", "passwd-link"), Path.Combine(folder, "a2", "folder-link")];
        File.CreateSymbolicLink(links[0], "/etc/passwd");
        Directory.CreateSymbolicLink(links[1], outside);
        // Folders' own times last, deepest first: creating anything in a folder changes its time.
        var folders = Directory.EnumerateDirectories(folder, "*", NoLinks).Append(folder).OrderByDescending(d => d.Length).ToList();
        for (var i = 0; i < folders.Count; i++)
        {
            Directory.SetLastWriteTimeUtc(folders[i], old.AddDays(-100 - i).AddMilliseconds(i * 11));
        }
        var files = Directory.EnumerateFiles(folder, "*", NoLinks).ToList();
        Assert.Equal(5003, files.Count);

        var send = ParleyRunner.Local.RunAsync("--home", alice.Home, "send", folder, "--to", "bob");
        var offer = await Eventually<JsonElement>(async () =>
        {
            var offers = (await bob.CliAsync("offers", "--json")).Json;
            return offers.GetArrayLength() == 1 ? offers[0].GetProperty("transfer") : null;
        }, "the offer at bob");
        Assert.Equal(5003, offer.GetProperty("fileCount").GetInt32()); // files; the folder entries carrying times are not counted
        var id = offer.GetProperty("id").GetString()!;
        var inbox = Path.Combine(_root, "inbox");
        Assert.Equal(0, (await bob.CliAsync("accept-offer", id[..8], "--to", inbox)).ExitCode);
        var seen = new List<int>();
        var done = await Eventually<JsonElement>(async () =>
        {
            if (Transfer(await bob.CliAsync("transfers", "--json"), id) is not { } t)
            {
                return null;
            }
            seen.Add(t.GetProperty("filesDone").GetInt32());
            return t.GetProperty("state").GetString() is "completed" or "failed" or "cancelled" ? t : null;
        }, "the transfer to finish", seconds: 300);
        Assert.Equal("completed", done.GetProperty("state").GetString());
        Assert.Equal(5003, done.GetProperty("filesDone").GetInt32());
        Assert.Equal(5003, done.GetProperty("fileCount").GetInt32());
        Assert.Equal(seen.Order(), seen); // counted up as files land, never back
        Assert.All(seen, n => Assert.InRange(n, 0, 5003));

        var sent = await send.WaitAsync(TimeSpan.FromMinutes(3));
        Assert.True(sent.ExitCode == 0, sent.Error);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"{5003:N0} of {5003:N0} files"), sent.Out, StringComparison.Ordinal);
        foreach (var link in links)
        {
            Assert.Contains("skipped link: " + link, sent.Error, StringComparison.Ordinal);
        }
        Assert.Contains("skipped 2 symbolic link(s), not followed", sent.Out, StringComparison.Ordinal);

        var received = Path.Combine(inbox, "tree");
        foreach (var source in files)
        {
            var copy = Path.Combine(received, Path.GetRelativePath(folder, source));
            Assert.Equal(Sha256(source), Sha256(copy));
            Assert.Equal(File.GetLastWriteTimeUtc(source), File.GetLastWriteTimeUtc(copy), TimeSpan.FromMilliseconds(1));
            Assert.Equal((File.GetUnixFileMode(source) & UnixFileMode.UserExecute) != 0, (File.GetUnixFileMode(copy) & UnixFileMode.UserExecute) != 0);
        }
        Assert.Equal(5003, Directory.EnumerateFiles(received, "*", SearchOption.AllDirectories).Count()); // and nothing through a link
        Assert.Equal(11, files.Count(f => (File.GetUnixFileMode(f) & UnixFileMode.UserExecute) != 0)); // 10 small and big1.bin
        foreach (var source in folders)
        {
            var copy = Path.Combine(received, Path.GetRelativePath(folder, source));
            Assert.True(Directory.Exists(copy), copy);
            Assert.Equal(Directory.GetLastWriteTimeUtc(source), Directory.GetLastWriteTimeUtc(copy), TimeSpan.FromMilliseconds(1));
        }
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(received, "a3", "nothing", "deeper")));
        foreach (var link in links)
        {
            Assert.False(Path.Exists(Path.Combine(received, Path.GetRelativePath(folder, link))), link); // not followed, not copied
        }
        Assert.Empty(Directory.EnumerateFiles(inbox, ".parley-*", SearchOption.AllDirectories));
    }
}
