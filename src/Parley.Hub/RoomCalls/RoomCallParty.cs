using Parley.Core.Hub.RoomCalls;
using Parley.Core.Identity;

namespace Parley.Hub;

/// <summary>
/// Anyone in a room's call as the hub forwards it: a member linked here (<see cref="RoomCallParticipant"/>),
/// or one on another hub of the cluster (<see cref="RoomCallRemote"/>). Either is a source: its video's
/// history answers this hub's receivers' NACKs, and keyframe requests for it merge here.
/// </summary>
internal abstract class RoomCallParty(ushort id, DeviceId device, RoomCallMedia media, TimeProvider time)
{
    private long _lastKeyframeAsk = long.MinValue / 2;
    private int _topLayer;
    private volatile bool _gone;

    /// <summary>This hub's number for it in the call (what this hub's members see).</summary>
    public ushort Id { get; } = id;

    public DeviceId Device { get; } = device;

    public RoomCallMedia Media { get; } = media;

    /// <summary>The last packets of its video, for receivers' NACKs.</summary>
    public RoomCallHistory Video { get; } = new();

    /// <summary>The highest temporal layer its video has had so far (0 until it sends a higher one).</summary>
    public int TopLayer => Volatile.Read(ref _topLayer);

    /// <summary>Set when it left or was cut off: nothing more is sent to it.</summary>
    public bool Gone
    {
        get => _gone;
        set => _gone = value;
    }

    public void SawLayer(int layer)
    {
        if (layer > Volatile.Read(ref _topLayer))
        {
            Volatile.Write(ref _topLayer, layer);
        }
    }

    public bool Sends(byte stream) => stream == RoomCallHop.AudioStream || (stream == RoomCallHop.VideoStream && Media.HasFlag(RoomCallMedia.Video));

    /// <summary>True at most once in <paramref name="interval"/>: keyframe requests from many receivers reach the sender as one.</summary>
    public bool ShouldAskKeyframe(TimeSpan interval)
    {
        var now = time.GetTimestamp();
        var last = Interlocked.Read(ref _lastKeyframeAsk);
        return time.GetElapsedTime(last, now) >= interval && Interlocked.CompareExchange(ref _lastKeyframeAsk, now, last) == last;
    }
}

/// <summary>Another hub of the cluster in a room's call: its instance, its own call ID for the room, and its bridge socket.</summary>
internal sealed record RoomCallHub(ulong Instance, uint CallId, System.Net.IPEndPoint Endpoint);

/// <summary>A participant on another hub: <see cref="OriginId"/> is that hub's number for it (its packets carry it between hubs).</summary>
internal sealed class RoomCallRemote(ushort id, RoomCallHub hub, ushort originId, DeviceId device, RoomCallMedia media, TimeProvider time)
    : RoomCallParty(id, device, media, time)
{
    public RoomCallHub Hub { get; } = hub;

    public ushort OriginId { get; } = originId;
}
