using Parley.Testing;
using static Microsoft.Playwright.Assertions;

namespace Parley.Web.Tests;

/// <summary>
/// A transfer of many files counts them on its card as well as bytes ("0 of 1,200 files" while it waits, then the
/// count landed), since many small files say little in bytes (issue 22).
/// </summary>
public sealed class TransferFileCountTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-webcount-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task FolderOfManyFiles_TheCardCountsFiles()
    {
        await using var browser = await Browser.LaunchAsync();
        await using var alice = await WebNode.StartAsync(browser, Path.Combine(_root, "alice"), "alice");
        await using var bob = await NodeProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, "bob"),
            "--port", "0", "--api-port", "0", "--no-discovery", "--name", "bob");
        await NodeProcess.BefriendAsync(alice.Node, bob);
        var folder = Path.Combine(_root, "notes");
        for (var i = 0; i < 1200; i++)
        {
            var path = Path.Combine(folder, $"d{i % 4}", $"n{i:D4}.txt");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, $"note {i}");
        }
        var bobId = (await bob.StatusAsync()).GetProperty("deviceId").GetString()!;
        Assert.Equal(0, (await alice.Node.CliAsync("send", folder, "--to", "bob", "--no-wait")).ExitCode);

        await alice.GoAsync($"chats/{bobId}");
        var card = alice.Page.Locator(".transfer-card");
        await Expect(card).ToContainTextAsync("waiting for them to accept · 0 of 1,200 files");
    }
}
