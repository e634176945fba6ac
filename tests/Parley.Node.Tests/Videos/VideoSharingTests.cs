using Parley.Node.Storage;

namespace Parley.Node.Tests.Videos;

/// <summary>What sharing remembers across a restart: the folder and who may watch.</summary>
public sealed class VideoSharingTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("parley-videos-shared-").FullName;
    private VideoHome _home = null!;

    public async Task InitializeAsync() => _home = await VideoHome.OpenAsync();

    public async Task DisposeAsync()
    {
        await _home.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task TheFolderAndTheRules_OutlastARestart()
    {
        var (allowed, denied) = (await _home.PeerAsync(PeerState.Contact), await _home.PeerAsync(PeerState.Contact));
        var before = await _home.SharingAsync(_folder);
        await before.Access.SetAsync(null, allowed: false);
        await before.Access.SetAsync(allowed, allowed: true);
        var after = await _home.SharingAsync();
        Assert.Equal(_folder, after.SharedFolder);
        Assert.False(after.Access.Everyone);
        Assert.True(after.MayWatch(allowed));
        Assert.False(after.MayWatch(denied));
    }

    [Fact]
    public async Task Unsharing_IsRemembered_AndAFolderThatNoLongerExists_IsNotShared()
    {
        await (await _home.SharingAsync(_folder)).UnshareAsync();
        Assert.Null((await _home.SharingAsync()).SharedFolder);
        var gone = Directory.CreateTempSubdirectory("parley-videos-gone-").FullName;
        await _home.SharingAsync(gone);
        Directory.Delete(gone);
        Assert.Null((await _home.SharingAsync()).SharedFolder);
    }

    [Fact]
    public async Task AContactsOwnRule_WinsOverTheRuleForAll()
    {
        var peer = await _home.PeerAsync(PeerState.Contact);
        var sharing = await _home.SharingAsync(_folder);
        Assert.True(sharing.MayWatch(peer)); // every contact, until the user says otherwise
        await sharing.Access.SetAsync(peer, allowed: false);
        Assert.False(sharing.MayWatch(peer));
        await sharing.Access.SetAsync(null, allowed: true);
        Assert.False(sharing.MayWatch(peer));
    }
}
