using System.Collections.Concurrent;
using Parley.Core.Identity;
using Parley.Node.Storage;

namespace Parley.Node.Videos;

/// <summary>
/// Who may watch the shared folder: a rule for every contact (yes until the user says no) and
/// per-contact exceptions. Kept in memory, since every read request is checked, and saved in
/// the settings table so it outlasts a restart.
/// </summary>
public sealed class VideoAccess
{
    private const string EveryoneSetting = "videos-everyone";
    private const string AllowPrefix = "videos-allow:";
    private readonly NodeStore _store;
    private readonly ConcurrentDictionary<DeviceId, bool> _rules = new();
    private volatile bool _everyone = true;

    public VideoAccess(NodeStore store) => _store = store;

    /// <summary>Reads the rules saved last time; until then every contact may watch, as on a first start.</summary>
    internal async Task LoadAsync()
    {
        _everyone = await _store.GetSettingAsync(EveryoneSetting).ConfigureAwait(false) != "0";
        foreach (var (key, value) in await _store.SettingsWithPrefixAsync(AllowPrefix).ConfigureAwait(false))
        {
            if (DeviceId.TryParse(key, out var peer))
            {
                _rules[peer] = value == "1";
            }
        }
    }

    /// <summary>Whether contacts without their own rule may watch.</summary>
    public bool Everyone => _everyone;

    /// <summary>The contacts with their own rule: true allowed, false refused.</summary>
    public IReadOnlyDictionary<string, bool> Rules => _rules.ToDictionary(r => r.Key.ToString(), r => r.Value);

    /// <summary>The rule for <paramref name="peer"/> (a contact; the caller checks that).</summary>
    public bool Allows(DeviceId peer) => _rules.TryGetValue(peer, out var own) ? own : _everyone;

    /// <summary>Allows or refuses one contact (<paramref name="peer"/>), or sets the rule for contacts without their own (null).</summary>
    public async Task SetAsync(DeviceId? peer, bool allowed)
    {
        await _store.SetSettingAsync(peer is { } id ? AllowPrefix + id.Compact : EveryoneSetting, allowed ? "1" : "0").ConfigureAwait(false);
        if (peer is { } who)
        {
            _rules[who] = allowed;
        }
        else
        {
            _everyone = allowed;
        }
    }
}
