using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Parley.Core.Calls;
using Parley.Node.Api;
using Parley.Node.Contacts;

namespace Parley.Node.Calls;

/// <summary>The calls API: list, ring, answer, hang up (each answering with the <see cref="CallInfo"/>), and the page's media channel.</summary>
internal static class CallsEndpoints
{
    /// <summary>Longest hang-up reason taken from a request, in characters.</summary>
    private const int MaxReason = 200;

    public static void Map(RouteGroupBuilder api)
    {
        api.MapGet("/calls", (CallService calls) => calls.All.Take(50).Select(CallInfo.Of));
        api.MapGet("/calls/{id}", (string id, CallService calls) => CallInfo.Of(calls.Find(id)));
        api.MapPost("/calls", (PlaceCallRequest body, CallService calls, PeerLookup lookup) =>
        {
            var peer = string.IsNullOrWhiteSpace(body.Peer) ? throw new ApiRequestException("give the peer to call") : lookup.Resolve(body.Peer);
            return CallInfo.Of(calls.Place(peer, body.Video, Codecs(body.Codecs).Aggregate(VideoCodecs.None, (all, codec) => all | codec), Engines(body.Engines)));
        });
        api.MapPost("/calls/{id}/accept", (string id, AnswerCallRequest? body, CallService calls) => CallInfo.Of(calls.Accept(calls.Find(id), Codecs(body?.Codecs), Engines(body?.Engines))));
        api.MapPost("/calls/{id}/decline", (string id, CallService calls) => CallInfo.Of(calls.Decline(calls.Find(id))));
        api.MapPost("/calls/{id}/hangup", (string id, HangupRequest? body, CallService calls) =>
            CallInfo.Of(calls.Hangup(calls.Find(id), string.IsNullOrWhiteSpace(body?.Reason) ? "hung up" : body.Reason[..Math.Min(body.Reason.Length, MaxReason)])));
        api.Map("/calls/{id}/media", (string id, HttpContext context, CallService calls) => PageMediaChannel.RunAsync(context, calls, calls.Find(id)));
    }

    /// <summary>The media engines a page can run ("webrtc", "webcodecs"); WebCodecs always.</summary>
    private static CallEngines Engines(string[]? names) =>
        (names ?? []).Take(4).Any(name => string.Equals(name, "webrtc", StringComparison.OrdinalIgnoreCase)) ? CallEngines.WebRtc | CallEngines.WebCodecs : CallEngines.WebCodecs;

    /// <summary>The video codecs a page can encode and decode, in its order of preference (names it does not know are skipped).</summary>
    private static VideoCodecs[] Codecs(string[]? names) => [.. (names ?? []).Take(8).Select(name => name.ToLowerInvariant() switch
    {
        "vp8" => VideoCodecs.Vp8,
        "vp9" => VideoCodecs.Vp9,
        "h264" => VideoCodecs.H264,
        _ => VideoCodecs.None,
    }).Where(codec => codec != VideoCodecs.None)];
}
