using Parley.Core.Identity;
using Parley.Node.Storage;

namespace Parley.Node.Files;

/// <summary>The receiving side's choices: where files go, and whose offers are accepted without asking.</summary>
internal sealed class FileSettings(ISettingStore store, NodeOptions options)
{
    private const string DownloadFolderSetting = "download-folder";
    private const string AutoAcceptPrefix = "auto-accept:";

    /// <summary>The folder received files go to unless the user picks one: the setting, else &lt;home&gt;/downloads.</summary>
    public async Task<string> DownloadFolderAsync() =>
        await store.GetSettingAsync(DownloadFolderSetting).ConfigureAwait(false) ?? Path.Combine(options.Home, "downloads");

    public Task SetDownloadFolderAsync(string folder) => store.SetSettingAsync(DownloadFolderSetting, Path.GetFullPath(folder));

    public async Task<bool> AutoAcceptAsync(DeviceId peer) =>
        await store.GetSettingAsync(AutoAcceptPrefix + peer.Compact).ConfigureAwait(false) == "1";

    /// <summary>The contacts whose offers are accepted without asking.</summary>
    public async Task<IReadOnlyList<DeviceId>> AutoAcceptPeersAsync() =>
        [.. (await store.SettingsWithPrefixAsync(AutoAcceptPrefix).ConfigureAwait(false))
            .Where(s => s.Value == "1" && DeviceId.TryParse(s.Key, out _)).Select(s => DeviceId.Parse(s.Key))];

    public Task SetAutoAcceptAsync(DeviceId peer, bool enabled) => store.SetSettingAsync(AutoAcceptPrefix + peer.Compact, enabled ? "1" : "0");
}
