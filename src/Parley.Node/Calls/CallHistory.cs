using Microsoft.Extensions.Logging;
using Parley.Core.Calls;
using Parley.Core.Identity;
using Parley.Node.Chat;
using Parley.Node.Storage;

namespace Parley.Node.Calls;

/// <summary>
/// Each ended call becomes an entry of the conversation with its peer: "Video call, 2:31",
/// "Voice call: declined", or, for a ring nobody answered here, "Missed voice call" (unread until
/// the conversation is read). Our own outgoing calls never count as unread.
/// </summary>
internal sealed class CallHistory(ConversationEntries entries, TimeProvider time, ILoggerFactory loggerFactory)
{
    private readonly ILogger _logger = loggerFactory.CreateLogger("Parley.Calls");

    /// <summary>Records an ended call (in the background: ending a call never waits for the disk).</summary>
    public void Ended(Call call)
    {
        var kind = call.Media.HasFlag(CallMedia.Video) ? "Video call" : "Voice call";
        var declinedHere = !call.Outgoing && !call.EndedByPeer && call.EndReason == "declined";
        var (text, state) = call.AnsweredAt is { } answered ? ($"{kind}, {Length(time.GetUtcNow() - answered)}", MessageState.Call)
            : call.Outgoing || declinedHere ? ($"{kind}: {call.EndReason}", MessageState.Call)
            : ($"Missed {kind.ToLowerInvariant()}", MessageState.MissedCall);
        Record(call.Peer, call.Outgoing, text, call.Created, state);
    }

    /// <summary>A contact rang while we were in another call: refused at once, and missed.</summary>
    public void MissedWhileBusy(DeviceId peer, CallMedia media, DateTimeOffset at) =>
        Record(peer, false, $"Missed {(media.HasFlag(CallMedia.Video) ? "video" : "voice")} call (you were in another call)", at, MessageState.MissedCall);

    private void Record(DeviceId peer, bool outgoing, string text, DateTimeOffset at, MessageState state) =>
        _ = Task.Run(async () =>
        {
            try
            {
                await entries.AddAsync(Guid.CreateVersion7(at), peer, outgoing, text, at, state).ConfigureAwait(false);
            }
            catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException or ObjectDisposedException or InvalidOperationException)
            {
                CallLog.HistoryNotStored(_logger, peer.Short, e.Message);
            }
        });

    /// <summary>"0:07", "12:30", "1:02:03".</summary>
    internal static string Length(TimeSpan length) =>
        length.TotalHours >= 1 ? $"{(int)length.TotalHours}:{length.Minutes:00}:{length.Seconds:00}" : $"{(int)length.TotalMinutes}:{length.Seconds:00}";
}
