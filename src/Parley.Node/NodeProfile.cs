using Parley.Node.Storage;

namespace Parley.Node;

/// <summary>
/// Who this node says it is: the display name peers see in hellos, announcements and the hub
/// directory. Stored in the settings so it survives a restart; <c>--name</c> overrides it.
/// </summary>
public sealed class NodeProfile(NodeStore store, string name)
{
    private const string NameSetting = "name";
    private volatile string _name = name;

    public string Name => _name;

    /// <summary>The name from <paramref name="chosen"/> (the command line), else the stored one, else the user's login name; stored.</summary>
    public static async Task<NodeProfile> LoadAsync(NodeStore store, string? chosen)
    {
        var name = chosen ?? await store.GetSettingAsync(NameSetting).ConfigureAwait(false) ?? DefaultName();
        await store.SetSettingAsync(NameSetting, name).ConfigureAwait(false);
        return new NodeProfile(store, name);
    }

    public async Task SetNameAsync(string name)
    {
        _name = name;
        await store.SetSettingAsync(NameSetting, name).ConfigureAwait(false);
    }

    private static string DefaultName()
    {
        var user = Environment.UserName;
        return string.IsNullOrWhiteSpace(user) ? "parley" : user;
    }
}
