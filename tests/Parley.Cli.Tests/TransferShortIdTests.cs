using Parley.Testing;

namespace Parley.Cli.Tests;

/// <summary>
/// Short transfer IDs (issue 19): transfers made within the same second show different short IDs,
/// and each short ID, as `parley send` prints it and `parley transfers` lists it, picks its transfer.
/// </summary>
public sealed class TransferShortIdTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("parley-shortid-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private Task<NodeProcess> StartNode(string name) =>
        NodeProcess.StartAsync(ParleyRunner.Local, Path.Combine(_root, name), "--port", "0", "--api-port", "0", "--no-discovery", "--name", name);

    [Fact]
    public async Task ShortIds_OfTransfersMadeTogether_DifferAndEachCancelsItsOwn()
    {
        await using var alice = await StartNode("alice");
        await using var bob = await StartNode("bob");
        await NodeProcess.BefriendAsync(alice, bob);
        var file = Path.Combine(_root, "note.txt");
        await File.WriteAllTextAsync(file, "three times");
        var printed = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var sent = await alice.CliAsync("send", file, "--to", "bob", "--no-wait");
            Assert.True(sent.ExitCode == 0, sent.Error);
            printed.Add(sent.Out.Split(" as ")[1].Split(';')[0]);
        }

        var listed = (await alice.CliAsync("transfers", "--json")).Json.EnumerateArray()
            .Select(t => (Id: t.GetProperty("id").GetString()!, Short: t.GetProperty("shortId").GetString()!)).ToList();
        Assert.Equal(3, listed.Select(t => t.Short).Distinct().Count());
        Assert.Equal(listed.Select(t => t.Short).Order(), printed.Order());

        var victim = listed[1];
        var cancel = await alice.CliAsync("cancel", victim.Short);
        Assert.True(cancel.ExitCode == 0, cancel.Error);
        var states = (await alice.CliAsync("transfers", "--json")).Json.EnumerateArray()
            .ToDictionary(t => t.GetProperty("id").GetString()!, t => t.GetProperty("state").GetString());
        Assert.Equal("cancelled", states[victim.Id]);
        Assert.Equal(2, states.Values.Count(s => s == "offered"));
    }
}
