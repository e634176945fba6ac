using Parley.Node.Calls;

namespace Parley.Cli.Calls;

/// <summary>The node's calls API as the CLI uses it, in the node's own records (<see cref="CallInfo"/> and the requests).</summary>
internal sealed class CallApi(ApiClient api)
{
    public ApiClient Client => api;

    public Task<CallInfo> GetAsync(string id) => api.GetAsync<CallInfo>($"api/calls/{id}");

    /// <summary>Newest first.</summary>
    public async Task<IReadOnlyList<CallInfo>> ListAsync() => await api.GetAsync<CallInfo[]>("api/calls").ConfigureAwait(false);

    public Task<CallInfo> PlaceAsync(PlaceCallRequest request) => api.PostAsync<CallInfo>("api/calls", request);

    public Task<CallInfo> AcceptAsync(string id, AnswerCallRequest request) => api.PostAsync<CallInfo>($"api/calls/{id}/accept", request);

    public Task<CallInfo> HangupAsync(string id, string reason = "hung up") => api.PostAsync<CallInfo>($"api/calls/{id}/hangup", new HangupRequest(reason));
}
