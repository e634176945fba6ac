namespace Parley.Node.Storage;

/// <summary>The node's key-value settings (the seam over <see cref="NodeStore"/>'s settings table, so a feature's rules can run on a fake).</summary>
public interface ISettingStore
{
    Task<string?> GetSettingAsync(string key);

    /// <summary>Every setting whose key starts with <paramref name="prefix"/>, as (rest of key, value).</summary>
    Task<IReadOnlyList<(string Key, string Value)>> SettingsWithPrefixAsync(string prefix);

    Task SetSettingAsync(string key, string value);
}
