using Microsoft.AspNetCore.Http;
using Parley.Node.Chat;
using Parley.Node.Contacts;

namespace Parley.Node.Api;

/// <summary>Turns the errors a caller can cause into JSON <c>{"error": …}</c> with a fitting status.</summary>
internal static class ApiErrors
{
    public static async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (Exception e) when (Status(e) is { } status && !context.Response.HasStarted)
        {
            context.Response.StatusCode = status;
            await context.Response.WriteAsJsonAsync(new { error = e.Message }).ConfigureAwait(false);
        }
    }

    private static int? Status(Exception e) => e switch
    {
        PeerNotFoundException { Ambiguous: true } => StatusCodes.Status409Conflict,
        PeerNotFoundException => StatusCodes.Status404NotFound,
        RequestRefusedException refused => refused.Status,
        Files.TransferException or ChatException or ArgumentException or FormatException => StatusCodes.Status400BadRequest,
        BadHttpRequestException bad => bad.StatusCode,
        Hub.HubUnavailableException => StatusCodes.Status503ServiceUnavailable,
        _ => null,
    };
}

/// <summary>Thrown for a request the API cannot act on; becomes a 400 with the message.</summary>
internal sealed class ApiRequestException(string message) : ArgumentException(message);
