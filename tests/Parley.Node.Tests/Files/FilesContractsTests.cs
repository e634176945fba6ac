using System.Text.Json;
using Parley.Node.Events;
using Parley.Node.Files;

namespace Parley.Node.Tests.Files;

/// <summary>The JSON the web UI and the CLI read: names and spellings as they were before the records.</summary>
public sealed class FilesContractsTests : IAsyncLifetime
{
    private FilesRig _rig = null!;

    public async Task InitializeAsync() => _rig = await FilesRig.StartAsync();

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public void Transfer_KeepsItsPropertyNames_AndSpellsEnumsInCamelCase()
    {
        var transfer = _rig.Add(_rig.NewPeer(), outgoing: true, TransferState.Active, 10, 20);
        var detail = _rig.Get<TransferViews>().Detail(transfer, 1);
        var json = JsonSerializer.SerializeToElement(detail, EventHub.Json);
        var info = json.GetProperty("transfer");
        Assert.Equal(
            ["id", "shortId", "peer", "peerName", "direction", "state", "error", "folder", "title", "fileCount", "filesDone", "totalBytes",
                "bytesDone", "bytesPerSecond", "etaSeconds", "currentFile", "createdAt", "names", "resentBytes", "resentFiles"],
            info.EnumerateObject().Select(p => p.Name));
        Assert.Equal("outgoing", info.GetProperty("direction").GetString());
        Assert.Equal("active", info.GetProperty("state").GetString());
        Assert.Equal(["index", "path", "size", "bytesDone"], info.GetProperty("currentFile").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["path", "size", "done", "finalPath"], json.GetProperty("files")[0].EnumerateObject().Select(p => p.Name));
        var read = json.Deserialize<TransferDetail>(EventHub.Json)!;
        Assert.Equal(detail.Transfer, read.Transfer);
        Assert.Equal(detail.Files, read.Files);
    }
}
