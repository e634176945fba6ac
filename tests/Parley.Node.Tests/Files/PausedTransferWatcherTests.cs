using Parley.Core.Files;
using Parley.Core.Protocol;
using Parley.Core.Tests;
using Parley.Node.Files;

namespace Parley.Node.Tests.Files;

/// <summary>Transfers paused for a full disk resume by themselves once the rest fits.</summary>
public sealed class PausedTransferWatcherTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _time = new();
    private FilesRig _rig = null!;

    public async Task InitializeAsync() => _rig = await FilesRig.StartAsync(_time);

    public async Task DisposeAsync() => await _rig.DisposeAsync();

    [Fact]
    public async Task AFolderThatWentAway_DoesNotStopOtherPausedTransfersResuming_NorTheNodeStopping()
    {
        // Bug: checking free space in a folder that is gone (a drive unplugged) threw DriveNotFoundException,
        // which ended the watcher for every paused transfer and was thrown again when the node stopped.
        var peer = _rig.NewPeer();
        var (_, link) = _rig.Sessions.Open(peer);
        var gone = _rig.Add(peer, outgoing: false, TransferState.Paused, 10);
        gone.Folder = Path.Combine(_rig.Home, "unplugged", "drive");
        var waiting = _rig.Add(peer, outgoing: false, TransferState.Paused, 10);
        waiting.Folder = Directory.CreateDirectory(Path.Combine(_rig.Home, "in")).FullName;
        var watcher = _rig.Get<PausedTransferWatcher>();
        await watcher.StartAsync(CancellationToken.None);
        await Wait.UntilAsync(() => _time.PendingTimers > 0, "the watcher's timer");
        for (var beat = 0; beat < 2; beat++)
        {
            _time.Advance(TimeSpan.FromSeconds(5));
            await Task.Delay(50);
        }
        await Wait.UntilAsync(() => link.CountOf(FrameType.FileRequest) > 0, "the transfer with room to ask for its data again");
        Assert.Equal(waiting.Id, link.SentOf<FileRequest>(FrameType.FileRequest)[0].OfferId);
        Assert.Equal(TransferState.Active, waiting.State);
        Assert.Equal(TransferState.Paused, gone.State);
        await watcher.StopAsync();
        _rig.Get<IncomingFiles>().Close(waiting, deleteTemp: true);
    }
}
