using System.Collections.Concurrent;
using Parley.Core.Identity;

namespace Parley.Node.Hub;

/// <summary>
/// Directory entries whose signature checks out, looked up once and cached until the device's
/// presence changes: the agreement key to seal mail and room keys to, the identity key to check a
/// room message's signature. An entry that fails its check is never cached nor returned.
/// </summary>
internal sealed class VerifiedDirectory(IWhois whois)
{
    private readonly ConcurrentDictionary<DeviceId, WhoisAnswer> _verified = new();

    /// <summary>The device's entry if its signature is valid, else null; throws <see cref="HubUnavailableException"/> when the hub cannot be asked.</summary>
    public async Task<WhoisAnswer?> FindAsync(DeviceId device)
    {
        if (_verified.TryGetValue(device, out var known))
        {
            return known;
        }
        var answers = await whois.WhoisAsync(device.Compact).ConfigureAwait(false);
        var answer = answers.FirstOrDefault(a => a.DeviceId == device && a.SignatureValid);
        if (answer is not null)
        {
            _verified[device] = answer;
        }
        return answer;
    }

    /// <summary>As <see cref="FindAsync"/>, null also when the hub cannot be asked (for work that simply skips the device).</summary>
    public async Task<WhoisAnswer?> TryFindAsync(DeviceId device)
    {
        try
        {
            return await FindAsync(device).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>A cached entry, without asking the hub (for display).</summary>
    public WhoisAnswer? Cached(DeviceId device) => _verified.GetValueOrDefault(device);

    /// <summary>The device's presence changed: it may have published a new entry.</summary>
    public void Forget(DeviceId device) => _verified.TryRemove(device, out _);
}
