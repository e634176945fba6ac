using Parley.Core.Identity;
using Parley.Node.Contacts;

namespace Parley.Node.Calls;

/// <summary>Tells the contacts' view which path an active call's media takes: the same word the call's own view gives.</summary>
internal sealed class CallPathLookup(CallBook book) : ICallPaths
{
    public string? PathWith(DeviceId peer) =>
        book.LiveWith(peer).Where(c => c.State == CallState.Active).Select(c => CallInfo.Of(c).Transport).FirstOrDefault();
}
