using Microsoft.Extensions.Logging;

namespace Parley.Node.Rooms;

internal static partial class RoomsLog
{
    [LoggerMessage(800, LogLevel.Warning, "no valid directory entry for {Member}: it cannot get our key for #{Room}")]
    public static partial void NoKey(ILogger logger, string member, string room);

    [LoggerMessage(801, LogLevel.Warning, "dropped a message from {Sender} in #{Room}: its signature or encryption does not check out")]
    public static partial void Dropped(ILogger logger, string sender, string room);

    [LoggerMessage(802, LogLevel.Information, "could not rejoin #{Room}: {Reason}")]
    public static partial void RejoinFailed(ILogger logger, string room, string reason);

    [LoggerMessage(803, LogLevel.Information, "could not post again to #{Room}: {Reason}")]
    public static partial void RepostFailed(ILogger logger, string room, string reason);

    [LoggerMessage(804, LogLevel.Warning, "refused {Member} the key {KeyId} in #{Room}: not a member, not in the room for that message, or asking too often")]
    public static partial void KeyRequestRefused(ILogger logger, string member, string room, uint keyId);

    [LoggerMessage(805, LogLevel.Warning, "dropped a key from {Sender} for #{Room}: it does not open as that member's key for this room")]
    public static partial void KeyDropped(ILogger logger, string sender, string room);

    [LoggerMessage(806, LogLevel.Warning, "reading rooms failed ({Reason}); the rooms involved are read again from what is stored")]
    public static partial void RunFailed(ILogger logger, string reason);

    [LoggerMessage(850, LogLevel.Warning, "{Member} is in #{Room} without an owner's word ({Reason}): it gets no key from us")]
    public static partial void NotAdmitted(ILogger logger, string member, string room, string reason);

    [LoggerMessage(851, LogLevel.Warning, "refused a policy for #{Room} signed by {Signer}: not an owner of the policy we hold")]
    public static partial void PolicyRefused(ILogger logger, string signer, string room);
}
