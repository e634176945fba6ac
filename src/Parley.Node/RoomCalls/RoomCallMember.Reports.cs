using System.Buffers.Binary;
using Parley.Core.Hub.RoomCalls;

namespace Parley.Node.RoomCalls;

/// <summary>Receiver reports: how many of the hub's packets reached us, from which it picks the video layers it sends us.</summary>
internal sealed partial class RoomCallMember
{
    /// <summary>Every <see cref="RoomCallHop.ReportInterval"/> while in the call: the count of the hub's packets that authenticated since we joined.</summary>
    private async Task ReportLoopAsync(RoomCallState call, CancellationToken stop)
    {
        var body = new byte[RoomCallHop.ReportSize];
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(RoomCallHop.ReportInterval, time, stop).ConfigureAwait(false);
                BinaryPrimitives.WriteUInt32BigEndian(body, call.Replay.Accepted);
                Send(call, RoomCallHopKind.Report, RoomCallHop.VideoStream, RoomCallHopFlags.None, 0, body);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
