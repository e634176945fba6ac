using System.Buffers;
using Parley.Core.Identity;
using Parley.Core.Protocol;
using Parley.Node.Contacts;
using Parley.Node.Storage;
using Parley.Node.Videos;
using Parley.Node.Videos.Thumbnails;

namespace Parley.Node.Tests.Videos;

/// <summary>A node's store and contact book in a temporary home, for the rules that read them.</summary>
internal sealed class VideoHome : IAsyncDisposable
{
    private readonly string _home;

    private VideoHome(string home, NodeStore store, ContactBook contacts) => (_home, Store, Contacts) = (home, store, contacts);

    public NodeStore Store { get; }

    public ContactBook Contacts { get; }

    public static async Task<VideoHome> OpenAsync()
    {
        var home = Directory.CreateTempSubdirectory("parley-videos-unit-").FullName;
        var store = NodeStore.Open(home);
        return new VideoHome(home, store, await ContactBook.LoadAsync(store, TimeProvider.System));
    }

    public NodeOptions Options => new() { Home = _home };

    public async Task<VideoSharing> SharingAsync(string? folder = null, VideoThumbnails? thumbnails = null)
    {
        var sharing = new VideoSharing(Store, Contacts, new VideoAccess(Store), new NodeOptions { Home = _home, VideosFolder = folder }, TimeProvider.System, thumbnails);
        await sharing.StartAsync();
        return sharing;
    }

    /// <summary>A device in the contact book with <paramref name="state"/>.</summary>
    public async Task<DeviceId> PeerAsync(PeerState state)
    {
        using var identity = NodeIdentity.CreateEphemeral();
        await Contacts.UpdateAsync(identity.DeviceId, r => r with { State = state });
        return identity.DeviceId;
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        Directory.Delete(_home, recursive: true);
    }

    public static Frame Frame<T>(FrameType type, T message) where T : IWireMessage<T> => new(type, 0, new ReadOnlySequence<byte>(message.ToArray()));
}
