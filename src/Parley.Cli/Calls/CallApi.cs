using System.Text.Json;
using Parley.Node.Calls;
using Parley.Node.Events;

namespace Parley.Cli.Calls;

/// <summary>The node's calls API as the CLI uses it, in the node's own records (<see cref="CallInfo"/> and the requests).</summary>
internal sealed class CallApi(ApiClient api)
{
    public ApiClient Client => api;

    public async Task<CallInfo> GetAsync(string id) => Read<CallInfo>(await api.GetAsync($"api/calls/{id}").ConfigureAwait(false));

    /// <summary>Newest first.</summary>
    public async Task<IReadOnlyList<CallInfo>> ListAsync() => Read<CallInfo[]>(await api.GetAsync("api/calls").ConfigureAwait(false));

    public async Task<CallInfo> PlaceAsync(PlaceCallRequest request) => Read<CallInfo>(await api.PostAsync("api/calls", request).ConfigureAwait(false));

    public async Task<CallInfo> AcceptAsync(string id, AnswerCallRequest request) =>
        Read<CallInfo>(await api.PostAsync($"api/calls/{id}/accept", request).ConfigureAwait(false));

    public async Task<CallInfo> HangupAsync(string id, string reason = "hung up") =>
        Read<CallInfo>(await api.PostAsync($"api/calls/{id}/hangup", new HangupRequest(reason)).ConfigureAwait(false));

    private static T Read<T>(JsonElement json) => json.Deserialize<T>(EventHub.Json) ?? throw new CliException("the node answered with nothing");
}
