using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Parley.Node.Api;

namespace Parley.Node.Attachments.Voice;

/// <summary>
/// <c>POST /api/voice/{conversation}</c>, multipart: <c>audio</c> (a recording in any format ffmpeg reads),
/// <c>trimStartMs</c> and <c>trimEndMs</c> (optional) → the sent message (<see cref="Chat.MessageView"/>).
/// </summary>
internal static class VoiceEndpoints
{
    /// <summary>Room for the form's other fields and its boundaries beside the recording.</summary>
    private const long FormOverhead = 64 * 1024;

    public static void Map(RouteGroupBuilder api) =>
        api.MapPost("/voice/{conversation}", async (HttpContext context, string conversation, VoiceMessages voice) =>
        {
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            {
                limit.MaxRequestBodySize = voice.Options.MaxInputBytes + FormOverhead;
            }
            if (!context.Request.HasFormContentType)
            {
                throw new ApiRequestException("send the recording as multipart/form-data (audio, trimStartMs, trimEndMs)");
            }
            var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
            var audio = form.Files.GetFile("audio") ?? throw new ApiRequestException("the form has no 'audio' file");
            var trim = VoiceTrim.Of(Milliseconds(form, "trimStartMs"), Milliseconds(form, "trimEndMs"));
            var recording = audio.OpenReadStream();
            await using (recording.ConfigureAwait(false))
            {
                return await voice.SendAsync(conversation, recording, trim, context.RequestAborted).ConfigureAwait(false);
            }
        }).DisableAntiforgery();

    private static int? Milliseconds(IFormCollection form, string field)
    {
        var text = form[field].ToString();
        if (text.Length == 0)
        {
            return null;
        }
        // The page measures in fractional milliseconds; whole ones are plenty.
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) && ms is >= 0 and < int.MaxValue
            ? (int)Math.Round(ms)
            : throw new ApiRequestException($"{field} must be a number of milliseconds");
    }
}
