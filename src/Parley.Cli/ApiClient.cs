using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using Parley.Node;
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

    public Task<JsonElement> GetAsync(string path) => SendAsync(HttpMethod.Get, path, null);

    public Task<JsonElement> PostAsync(string path, object? body = null) => SendAsync(HttpMethod.Post, path, body);

    public Task<JsonElement> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path, null);

    private async Task<JsonElement> SendAsync(HttpMethod method, string path, object? body)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: EventHub.Json);
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
            var json = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
            if (!response.IsSuccessStatusCode)
            {
                var error = json.ValueKind == JsonValueKind.Object && json.TryGetProperty("error", out var e) ? e.GetString() : text;
                throw new CliException(error ?? response.StatusCode.ToString());
            }
            return json;
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
