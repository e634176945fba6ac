using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Parley.Node.Api;

/// <summary>
/// Guards the loopback API. A request must name a loopback host with our port (against DNS
/// rebinding), carry no foreign Origin (against cross-site requests from a page the user has open),
/// and present the API key from the home folder as a bearer token.
/// </summary>
internal sealed class ApiSecurity(string apiKey, Func<int> port)
{
    private static readonly string[] LoopbackHosts = ["127.0.0.1", "localhost", "[::1]"];
    private readonly byte[] _key = Encoding.UTF8.GetBytes(apiKey);

    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var refusal = Check(context.Request);
        if (refusal is not null)
        {
            context.Response.StatusCode = refusal.Value.Status;
            await context.Response.WriteAsJsonAsync(new { error = refusal.Value.Error }).ConfigureAwait(false);
            return;
        }
        await next(context).ConfigureAwait(false);
    }

    private (int Status, string Error)? Check(HttpRequest request)
    {
        var ourPort = port();
        var host = request.Host;
        if (!host.HasValue || host.Port != ourPort || !LoopbackHosts.Contains(host.Host, StringComparer.OrdinalIgnoreCase))
        {
            return (StatusCodes.Status403Forbidden, "the Host header must name this node's loopback address");
        }
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && origin != $"http://127.0.0.1:{ourPort}" && origin != $"http://localhost:{ourPort}")
        {
            return (StatusCodes.Status403Forbidden, "requests from other origins are refused");
        }
        var authorization = request.Headers.Authorization.ToString();
        const string Bearer = "Bearer ";
        if (!authorization.StartsWith(Bearer, StringComparison.Ordinal)
            || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(authorization[Bearer.Length..]), _key))
        {
            return (StatusCodes.Status401Unauthorized, "missing or wrong API key (see the api-key file in the node's home)");
        }
        return null;
    }
}
