using Parley.Node.Chat;

namespace Parley.Cli.Verbs;

/// <summary>
/// <c>parley chat peer "text"</c> sends one message; <c>parley chat peer</c> opens a <see cref="ChatSession"/>
/// that shows incoming messages and presence live and sends each line typed, until <c>/quit</c>.
/// </summary>
internal sealed class ChatVerb : IVerb
{
    public string Name => "chat";

    public string Arguments => "<peer|#room> [text]";

    public string Summary => "send a message, or with no text chat interactively (/quit leaves)";

    public IReadOnlyCollection<string> FlagOptions => ["--json"];

    public async Task<int> RunAsync(CliContext context)
    {
        context.Args.ExpectPositional(1, 2);
        var peer = context.Args.Positional[0];
        using var api = context.Api();
        if (context.Args.Positional.Count < 2)
        {
            return await ChatSession.RunAsync(context, api, peer).ConfigureAwait(false);
        }
        var message = await SendAsync(api, peer, context.Args.Positional[1]).ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(message);
            return ExitCodes.Ok;
        }
        context.Out.WriteLine(MessageText.Outcome(message));
        if (message.Warning is { } warning)
        {
            context.Error.WriteLine("note: " + TerminalText.Safe(warning));
        }
        return ExitCodes.Ok;
    }

    public static Task<MessageView> SendAsync(ApiClient api, string peer, string text) =>
        api.PostAsync<MessageView>($"api/chat/{ApiClient.Segment(peer)}", new ChatRequest(text));
}
