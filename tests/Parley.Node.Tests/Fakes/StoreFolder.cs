using Parley.Node.Contacts;
using Parley.Node.Storage;

namespace Parley.Node.Tests.Fakes;

/// <summary>A real SQLite store in a temporary folder (fast: no node, no sockets), and the contact book over it.</summary>
internal sealed class StoreFolder : IAsyncDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("parley-store-").FullName;

    private StoreFolder()
    {
        Store = NodeStore.Open(_home);
    }

    public NodeStore Store { get; }

    public ContactBook Contacts { get; private set; } = null!;

    public static async Task<StoreFolder> OpenAsync()
    {
        var folder = new StoreFolder();
        folder.Contacts = await ContactBook.LoadAsync(folder.Store, TimeProvider.System);
        return folder;
    }

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        Directory.Delete(_home, recursive: true);
    }
}
