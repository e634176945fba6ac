using Parley.Core.Identity;

namespace Parley.Hub;

/// <summary>
/// How a relay reaches a member online on another hub of the cluster (a single hub has none): the
/// target's hub carries the target's half of the session and joins it to this hub's.
/// </summary>
internal interface IRelayBridge
{
    /// <summary>True when <paramref name="target"/> is online on another hub this one can ask.</summary>
    bool Reaches(DeviceId target);

    /// <summary>
    /// Asks the target's hub to give the target its ticket and to join the session here by dialling this
    /// hub with <paramref name="invitedToken"/>; null once that is done, else why not (for the asker).
    /// </summary>
    Task<string?> BridgeAsync(DeviceId asker, DeviceId target, byte[] invitedToken);
}
