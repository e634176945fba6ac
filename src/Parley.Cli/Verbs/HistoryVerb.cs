using Parley.Node.Chat;

namespace Parley.Cli.Verbs;

internal sealed class HistoryVerb : IVerb
{
    public string Name => "history";

    public string Arguments => "<peer|#room> [--limit N] [--json]";

    public string Summary => "show the conversation with a peer, with delivery state";

    public IReadOnlyCollection<string> ValuedOptions => ["--limit"];

    public IReadOnlyCollection<string> FlagOptions => ["--json"];

    public async Task<int> RunAsync(CliContext context)
    {
        context.Args.ExpectPositional(1, 1);
        var limitText = context.Args.Value("--limit") ?? "100";
        if (!int.TryParse(limitText, out var limit) || limit is < 1 or > 10_000)
        {
            throw new UsageException("--limit takes a number from 1 to 10000");
        }
        using var api = context.Api();
        var messages = await ReadAsync(api, context.Args.Positional[0], limit).ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(messages);
            return ExitCodes.Ok;
        }
        foreach (var message in messages)
        {
            context.Out.WriteLine(MessageText.Format(message));
        }
        return ExitCodes.Ok;
    }

    /// <summary>The newest <paramref name="limit"/> messages with a peer or in a "#room", oldest first.</summary>
    public static Task<IReadOnlyList<MessageView>> ReadAsync(ApiClient api, string conversation, int limit) =>
        api.GetAsync<IReadOnlyList<MessageView>>($"api/chat/{ApiClient.Segment(conversation)}?limit={limit}");
}
