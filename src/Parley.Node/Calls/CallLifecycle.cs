using Microsoft.Extensions.Logging;
using Parley.Core.Calls;
using Parley.Node.Events;

namespace Parley.Node.Calls;

/// <summary>
/// A call's media starting and stopping, each step published: answered (a <see cref="MediaSession"/>
/// on the chosen path, frames and notices to the pages), ended (media stopped at once, the pages
/// told why, the call kept for the list and written to the conversation).
/// </summary>
internal sealed class CallLifecycle(CallBook book, CallMediaPaths paths, PageTurnSocket pageTurn, CallSignals signals, CallHistory history, EventHub events, TimeProvider time,
    ILoggerFactory loggerFactory)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("Parley.Calls");

    public void Publish(string type, Call call) => events.Publish(type, CallInfo.Of(call));

    /// <summary>The callee said yes (either side): media starts.</summary>
    public void Start(Call call)
    {
        var media = new MediaSession(call.Id, call.Secret, call.Outgoing, packet => paths.Send(call, packet), call, time);
        call.Session = media;
        // The path is chosen before the clock sees the call active and starts sending reports.
        paths.Open(call, media, () => Hangup(call, "the peer flooded the media path"));
        call.State = CallState.Active;
        call.AnsweredAt = time.GetUtcNow();
        paths.Started(call);
        CallLog.Answered(_logger, call.Id, call.Peer.Short);
        Publish(CallsEvents.Answered, call);
    }

    /// <summary>Hangs up (or cancels a ring): the peer is told why, media stops at once.</summary>
    public void Hangup(Call call, string reason)
    {
        if (call.State != CallState.Ended)
        {
            signals.End(call, reason);
            End(call, reason, byPeer: false);
        }
    }

    /// <summary>Ends the call here (once, whoever gets there first); the peer is not told.</summary>
    public void End(Call call, string reason, bool byPeer)
    {
        lock (call)
        {
            if (call.State == CallState.Ended)
            {
                return;
            }
            call.State = CallState.Ended;
        }
        call.EndReason = reason;
        call.EndedByPeer = byPeer;
        paths.Close(call);
        pageTurn.Forget(call);
        call.Tell(CallNotice.Ended(reason, byPeer));
        call.CloseListeners();
        call.Session?.Dispose();
        CallLog.Ended(_logger, call.Id, call.PeerName, reason);
        Publish(CallsEvents.Ended, call);
        history.Ended(call);
        book.ForgetOldCalls();
    }
}
