using System.Text.Json.Serialization;
using Parley.Core.Calls;

namespace Parley.Node.Calls;

public enum CallState
{
    /// <summary>Placed, waiting for the callee to answer.</summary>
    Ringing,
    Active,
    Ended,
}

/// <summary>A call as the API and the call events show it (<c>GET /api/calls/{id}</c>, <c>call.*</c>).</summary>
/// <param name="Id">The call ID, 8 hex digits.</param>
/// <param name="Codec">The video codec chosen (once answered), or those offered while ringing: "vp8", "vp9, h264", "none".</param>
/// <param name="Transport">The media path: "udp" (direct), "hub-udp" (the hub's UDP relay), "turn", or "link" when media rides the TLS link.</param>
/// <param name="Stats">The media counters, once media started.</param>
/// <param name="Engine">"webrtc" (the pages' own WebRTC engine, its packets carried by the nodes) or "webcodecs"; while ringing, those offered.</param>
/// <param name="Turn">Where this node's page points its WebRTC engine (<c>turn:127.0.0.1:port</c>, user, credential); null when the node has none.</param>
public sealed record CallInfo(string Id, string Peer, string PeerName, bool Outgoing, bool Video, CallState State, string Codec, string Engine, string Transport,
    DateTimeOffset Created, DateTimeOffset? AnsweredAt, string? EndReason, bool EndedByPeer, CallStats? Stats, PageTurnServer? Turn)
{
    internal static CallInfo Of(Call call) => new(call.Id.ToString("x8"), call.Peer.ToString(), call.PeerName, call.Outgoing,
        call.Media.HasFlag(CallMedia.Video), call.State, call.Codecs.ToString().ToLowerInvariant(), EngineName(call.Engines), call.Path,
        call.Created, call.AnsweredAt, call.EndReason, call.EndedByPeer, call.Session is { } media ? CallStats.Of(media) : null,
        call.TurnUrl is null || call.State == CallState.Ended ? null : new PageTurnServer(call.TurnUrl, call.Turn.Username, call.Turn.Password));

    private static string EngineName(CallEngines engines) => engines switch
    {
        CallEngines.WebRtc => "webrtc",
        CallEngines.WebCodecs => "webcodecs",
        _ => "webrtc, webcodecs",
    };
}

/// <summary>The local TURN server a page's WebRTC engine is given (as an <c>RTCIceServer</c>).</summary>
public sealed record PageTurnServer(string Url, string Username, string Credential);

/// <summary>What one side's media session has counted.</summary>
/// <param name="Dropped">Packets refused: malformed, forged, replayed or too old.</param>
/// <param name="Bitrate">The video bitrate the path carries now, bits per second.</param>
public sealed record CallStats(long Sent, long Received, long FramesSent, long FramesReceived, long Lost, long Retransmitted, long Dropped,
    double? RttMs, double JitterMs, int Bitrate)
{
    internal static CallStats Of(MediaSession media)
    {
        var s = media.Stats;
        return new CallStats(s.PacketsSent, s.PacketsReceived, s.FramesSent, s.FramesReceived, s.Lost, s.Retransmitted,
            s.Malformed + s.Forged + s.Replayed + s.TooOld, media.RoundTrip?.TotalMilliseconds, media.JitterMs, media.TargetBitrate);
    }
}

/// <summary>
/// A text message on a call's media channel. To the page: "keyframe" (the peer wants one on
/// <see cref="Stream"/>), "bitrate" (<see cref="Bps"/>), "transport" (media moved to <see cref="Transport"/>: "link", "udp", "hub-udp", "turn"),
/// "ended" (<see cref="Reason"/>, <see cref="ByPeer"/>), "signal" (the peer page's session description: <see cref="Kind"/>,
/// <see cref="Sdp"/>). From the page: "keyframe" (its decoder lost its footing), "signal" (its own, for the peer page).
/// </summary>
public sealed record CallNotice(string Type)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Stream { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Bps { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Transport { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Reason { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? ByPeer { get; init; }

    public const string KeyframeType = "keyframe";
    public const string EndedType = "ended";

    internal static CallNotice Keyframe(StreamKind stream) => new(KeyframeType) { Stream = stream.ToString().ToLowerInvariant() };

    internal static CallNotice Bitrate(int bps) => new("bitrate") { Bps = bps };

    internal static CallNotice MovedToLink() => new("transport") { Transport = "link" };

    internal static CallNotice MovedToUdp(string path = CallPaths.Direct) => new("transport") { Transport = path };

    internal static CallNotice Ended(string reason, bool byPeer) => new(EndedType) { Reason = reason, ByPeer = byPeer };

    /// <summary>The peer page's session description ("offer" or "answer"), or the local page's, to send.</summary>
    internal static CallNotice Signal(PageSignalKind kind, string sdp) => new(SignalType) { Kind = kind == PageSignalKind.Offer ? "offer" : "answer", Sdp = sdp };

    public const string SignalType = "signal";

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Kind { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Sdp { get; init; }
}

/// <summary><c>POST /api/calls</c>: the peer (name, device ID or prefix), video or audio only, the page's codecs best first.</summary>
/// <param name="Engines">The media engines the page can run: "webrtc", "webcodecs" (WebCodecs only when absent).</param>
public sealed record PlaceCallRequest(string? Peer, bool Video, string[]? Codecs, string[]? Engines = null);

/// <summary><c>POST /api/calls/{id}/accept</c>: the answering page's codecs, best first.</summary>
public sealed record AnswerCallRequest(string[]? Codecs, string[]? Engines = null);

/// <summary><c>POST /api/calls/{id}/hangup</c>: the reason the peer is told (at most 200 characters; "hung up" when empty).</summary>
public sealed record HangupRequest(string? Reason);
