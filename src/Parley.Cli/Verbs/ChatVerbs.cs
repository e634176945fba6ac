using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

namespace Parley.Cli.Verbs;

/// <summary>
/// <c>parley chat peer "text"</c> sends one message; <c>parley chat peer</c> opens a session that
/// shows incoming messages and presence live and sends each line typed, until <c>/quit</c>.
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
        if (context.Args.Positional.Count == 2)
        {
            var message = await SendAsync(api, peer, context.Args.Positional[1]).ConfigureAwait(false);
            if (context.Json)
            {
                context.WriteJson(message);
            }
            else
            {
                var state = message.GetProperty("state").GetString();
                context.Out.WriteLine(state switch
                {
                    "queued" => "queued: it will be delivered when the peer is back",
                    "mailed" => "left at the hub, encrypted to the peer: delivered when it connects",
                    _ => "sent",
                });
                if (message.TryGetProperty("warning", out var warning) && warning.ValueKind == System.Text.Json.JsonValueKind.String)
                {
                    context.Error.WriteLine("note: " + TerminalText.Safe(warning.GetString()));
                }
            }
            return ExitCodes.Ok;
        }
        return await InteractiveAsync(context, api, peer).ConfigureAwait(false);
    }

    private static Task<JsonElement> SendAsync(ApiClient api, string peer, string text) =>
        api.PostAsync($"api/chat/{ApiClient.Segment(peer)}", new { text });

    private static async Task<int> InteractiveAsync(CliContext context, ApiClient api, string peer)
    {
        var deviceId = peer.StartsWith('#')
            ? "#" + peer.TrimStart('#').ToLowerInvariant()
            : (await api.GetAsync($"api/peers/{ApiClient.Segment(peer)}/safety").ConfigureAwait(false)).GetProperty("deviceId").GetString()!;
        using var stop = new CancellationTokenSource();
        using var socket = await api.OpenEventsAsync(stop.Token).ConfigureAwait(false);
        var history = await api.GetAsync($"api/chat/{ApiClient.Segment(peer)}?limit=20").ConfigureAwait(false);
        foreach (var message in history.EnumerateArray())
        {
            context.Out.WriteLine(HistoryVerb.Format(message));
        }
        context.Out.WriteLine($"-- chatting with {(deviceId.StartsWith('#') ? deviceId : deviceId[..9])}; type a message and Enter, /quit to leave --");
        var events = Task.Run(() => ShowEventsAsync(context, socket, deviceId, stop));
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
                await SendAsync(api, peer, line).ConfigureAwait(false);
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

    private static async Task ShowEventsAsync(CliContext context, ClientWebSocket socket, string deviceId, CancellationTokenSource session)
    {
        var cancellationToken = session.Token;
        var buffer = new byte[256 * 1024];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                    length += result.Count;
                }
                while (!result.EndOfMessage && length < buffer.Length);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
                var line = Describe(JsonDocument.Parse(Encoding.UTF8.GetString(buffer, 0, length)).RootElement, deviceId);
                if (line is not null)
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

    /// <summary>The line to show for an event about this conversation, or null for other events.</summary>
    internal static string? Describe(JsonElement e, string deviceId)
    {
        var data = e.GetProperty("data");
        var type = e.GetProperty("type").GetString();
        string? Peer(string property) => data.TryGetProperty(property, out var p) ? p.GetString() : null;
        return type switch
        {
            "message" when Peer("peer") == deviceId && !data.GetProperty("outgoing").GetBoolean() => HistoryVerb.Format(data),
            "room.notice" when Peer("room") == deviceId => $"* {TerminalText.Safe(Peer("name"))} {(data.GetProperty("joined").GetBoolean() ? "joined" : "left")}",
            "delivered" when Peer("peer") == deviceId => null,
            "peer.online" when Peer("deviceId") == deviceId => $"* {TerminalText.Safe(Peer("name"))} is online",
            "peer.offline" when Peer("deviceId") == deviceId => $"* {TerminalText.Safe(Peer("name"))} left ({TerminalText.Safe(Peer("reason"))})",
            _ => null,
        };
    }
}

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
        var messages = await api.GetAsync($"api/chat/{ApiClient.Segment(context.Args.Positional[0])}?limit={limit}").ConfigureAwait(false);
        if (context.Json)
        {
            context.WriteJson(messages);
            return ExitCodes.Ok;
        }
        foreach (var message in messages.EnumerateArray())
        {
            context.Out.WriteLine(Format(message));
        }
        return ExitCodes.Ok;
    }

    /// <summary>"[14:02] alice: hi  ✓✓" — ticks: … queued, ✉ at the hub's mailbox, ✓ sent, ✓✓ delivered.</summary>
    internal static string Format(JsonElement message)
    {
        var outgoing = message.GetProperty("outgoing").GetBoolean();
        var when = message.GetProperty("sentAt").GetDateTimeOffset().ToLocalTime();
        if (message.GetProperty("state").GetString() == "notice")
        {
            return $"[{when:HH:mm}] * {TerminalText.Safe(message.GetProperty("text").GetString())}";
        }
        var who = outgoing ? "me" : TerminalText.Safe(message.GetProperty("peerName").GetString());
        var ticks = !outgoing ? "" : message.GetProperty("state").GetString() switch
        {
            "queued" => "  …",
            "mailed" => "  ✉",
            "notice" => "",
            "sent" => "  ✓",
            "delivered" => "  ✓✓",
            _ => "",
        };
        return $"[{when:HH:mm}] {who}: {TerminalText.Safe(message.GetProperty("text").GetString(), allowNewlines: true)}{ticks}";
    }
}
