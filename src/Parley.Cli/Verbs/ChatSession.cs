using System.Net.WebSockets;
using Parley.Node.Contacts;

namespace Parley.Cli.Verbs;

/// <summary>
/// The interactive <c>parley chat peer</c>: the last messages, then what arrives live (from the event stream)
/// while each line typed is sent, until <c>/quit</c>, the end of input, or the node stopping.
/// </summary>
internal static class ChatSession
{
    public static async Task<int> RunAsync(CliContext context, ApiClient api, string peer)
    {
        var conversation = peer.StartsWith('#')
            ? "#" + peer.TrimStart('#').ToLowerInvariant()
            : (await api.GetAsync<SafetyView>($"api/peers/{ApiClient.Segment(peer)}/safety").ConfigureAwait(false)).DeviceId;
        using var stop = new CancellationTokenSource();
        // Subscribed before the history is read, so no message falls between the two.
        using var socket = await api.OpenEventsAsync(stop.Token).ConfigureAwait(false);
        foreach (var message in await HistoryVerb.ReadAsync(api, peer, 20).ConfigureAwait(false))
        {
            context.Out.WriteLine(MessageText.Format(message));
        }
        context.Out.WriteLine($"-- chatting with {(conversation.StartsWith('#') ? conversation : PeerText.ShortId(conversation))}; type a message and Enter, /quit to leave --");
        var events = Task.Run(() => ShowEventsAsync(context, socket, conversation, stop));
        while (await ReadLineAsync(stop.Token).ConfigureAwait(false) is { } line)
        {
            if (line.Trim() == "/quit")
            {
                break;
            }
            if (line.Length == 0)
            {
                continue;
            }
            try
            {
                await ChatVerb.SendAsync(api, peer, line).ConfigureAwait(false);
            }
            catch (CliException e)
            {
                context.Error.WriteLine("not sent: " + TerminalText.Safe(e.Message));
            }
        }
        await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await events.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
        return ExitCodes.Ok;
    }

    /// <summary>The next line typed, or null at end of input or when the session ends (the node stopped).</summary>
    private static async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        // Console input cannot be cancelled, so the read runs on its own and is abandoned when the session ends.
        var read = Task.Run(Console.In.ReadLine, CancellationToken.None);
        var ended = Task.Delay(Timeout.Infinite, cancellationToken);
        return await Task.WhenAny(read, ended).ConfigureAwait(false) == read ? await read.ConfigureAwait(false) : null;
    }

    private static async Task ShowEventsAsync(CliContext context, ClientWebSocket socket, string conversation, CancellationTokenSource session)
    {
        try
        {
            await foreach (var e in NodeEvent.ReadAllAsync(socket, session.Token).ConfigureAwait(false))
            {
                if (ChatEventText.Describe(e, conversation) is { } line)
                {
                    context.Out.WriteLine(line);
                }
            }
        }
        catch (OperationCanceledException)
        {
            return; // the user left
        }
        catch (WebSocketException)
        {
        }
        context.Out.WriteLine("* the node stopped; leaving the chat");
        await session.CancelAsync().ConfigureAwait(false);
    }
}
