using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Parley.Node;
using Parley.Node.Api;
using Parley.Node.Events;

namespace Parley.Cli;

/// <summary>
/// The CLI's only way to a running node: its local API, found through the runtime file and API key
/// the node keeps in its home folder.
/// </summary>
internal sealed class ApiClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly string _key;

    private ApiClient(Uri baseUrl, string key)
    {
        BaseUrl = baseUrl;
        _key = key;
        _http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
    }

    public Uri BaseUrl { get; }

    /// <summary>The client for the node of <paramref name="home"/>, or null when none is recorded there.</summary>
    public static ApiClient? TryOpen(string home)
    {
        var runtimePath = HomeFolder.RuntimePath(home);
        var keyPath = HomeFolder.ApiKeyPath(home);
        if (!File.Exists(runtimePath) || !File.Exists(keyPath))
        {
            return null;
        }
        RuntimeInfo? runtime;
        try
        {
            runtime = JsonSerializer.Deserialize<RuntimeInfo>(File.ReadAllText(runtimePath), EventHub.Json);
        }
        catch (JsonException)
        {
            return null;
        }
        return runtime is null ? null : new ApiClient(new Uri(runtime.ApiUrl + "/"), File.ReadAllText(keyPath).Trim());
    }

    public static ApiClient Open(string home) => TryOpen(home)
        ?? throw new CliException($"no node is running for {home} (start one with: parley up)", ExitCodes.NoNode);

    /// <summary>GETs <paramref name="path"/> and reads the reply as the node's contract record <typeparamref name="T"/>.</summary>
    public Task<T> GetAsync<T>(string path) => CallAsync<T>(HttpMethod.Get, path, null);

    /// <summary>POSTs <paramref name="body"/> (a request record, or nothing) and reads the reply as <typeparamref name="T"/>.</summary>
    public Task<T> PostAsync<T>(string path, object? body = null) => CallAsync<T>(HttpMethod.Post, path, body);

    /// <summary>DELETEs <paramref name="path"/> and reads the reply as <typeparamref name="T"/>.</summary>
    public Task<T> DeleteAsync<T>(string path) => CallAsync<T>(HttpMethod.Delete, path, null);

    /// <summary>POSTs to <paramref name="path"/> for a reply that carries nothing to read (e.g. 202 Accepted).</summary>
    public Task PostWithoutReplyAsync(string path) => SendAsync(HttpMethod.Post, path, null);

    private async Task<T> CallAsync<T>(HttpMethod method, string path, object? body) => Read<T>(path, await SendAsync(method, path, body).ConfigureAwait(false));

    private T Read<T>(string path, string text)
    {
        try
        {
            return (text.Length == 0 ? default : JsonSerializer.Deserialize<T>(text, EventHub.Json))
                ?? throw new CliException($"the node at {BaseUrl} answered {path} with nothing");
        }
        catch (JsonException e)
        {
            // A node of another version may shape a reply differently: say so rather than crash.
            throw new CliException($"the node at {BaseUrl} answered {path} in a shape this parley does not read ({e.Message})");
        }
    }

    /// <summary>The reply's text; a refusal becomes a <see cref="CliException"/> with the node's <see cref="ApiError"/> message.</summary>
    private async Task<string> SendAsync(HttpMethod method, string path, object? body)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = body as HttpContent ?? JsonContent.Create(body, options: EventHub.Json); // HttpContent: a multipart upload
        }
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new CliException($"the node at {BaseUrl} does not answer ({e.Message}); is it running?", ExitCodes.NoNode);
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new CliException(ErrorOf(text));
            }
            return text;
        }
    }

    /// <summary>The message of an <see cref="ApiError"/> reply; any other refusal is shown as it came.</summary>
    private static string ErrorOf(string text)
    {
        try
        {
            return JsonSerializer.Deserialize<ApiError>(text, EventHub.Json)?.Error ?? text;
        }
        catch (JsonException)
        {
            return text;
        }
    }

    /// <summary>Opens the event stream: each message is one JSON event.</summary>
    public Task<ClientWebSocket> OpenEventsAsync(CancellationToken cancellationToken) => OpenSocketAsync("api/events", cancellationToken);

    /// <summary>Opens a WebSocket of the API (events, a call's media channel) with the API key.</summary>
    public async Task<ClientWebSocket> OpenSocketAsync(string path, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + _key);
        var uri = new UriBuilder(new Uri(BaseUrl, path)) { Scheme = "ws" }.Uri;
        await socket.ConnectAsync(uri, cancellationToken).ConfigureAwait(false);
        return socket;
    }

    /// <summary>Escapes a peer name or ID for a URL path segment.</summary>
    public static string Segment(string peer) => Uri.EscapeDataString(peer);

    public void Dispose() => _http.Dispose();
}
